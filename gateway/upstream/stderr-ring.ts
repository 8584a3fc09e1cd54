// The last lines a server wrote to stderr, bounded, for "last error" and debug logs.

export interface StderrRing {
  /** Feeds a chunk; returns the complete lines it finished (for logging). */
  push(chunk: string): string[];
  lines(): readonly string[];
}

/** Lines longer than this are cut: one runaway line must not hold megabytes. */
const maxLineLength = 2_000;

/** Replaces every occurrence of a known secret value (4+ characters) with `[redacted]`. */
export function redactValues(line: string, values: readonly string[]): string {
  let out = line;
  for (const value of values) {
    if (value.length >= 4) out = out.split(value).join('[redacted]');
  }
  return out;
}

/** `secrets`: values that must never leave through stderr (a server echoing its token). */
export function createStderrRing(capacity = 64, secrets: readonly string[] = []): StderrRing {
  const kept: string[] = [];
  let partial = '';
  const keep = (line: string): void => {
    kept.push(line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line);
    if (kept.length > capacity) kept.shift();
  };
  return {
    push(chunk) {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? '';
      if (partial.length > maxLineLength) {
        parts.push(partial);
        partial = '';
      }
      const finished = parts
        .filter((line) => line.length > 0)
        .map((line) => redactValues(line, secrets));
      for (const line of finished) keep(line);
      return finished;
    },
    lines() {
      if (partial.length === 0) return [...kept];
      return [...kept, redactValues(partial, secrets)].slice(-capacity);
    },
  };
}
