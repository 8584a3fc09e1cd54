// Calls back (debounced) when files in a directory may have changed: fs.watch for speed, a slow poll as the safety net.
import { type FSWatcher, watch } from 'node:fs';

export interface DirectoryWatchOptions {
  /** Quiet time after the last event before calling back (editors write in several steps). */
  readonly debounceMs?: number;
  /** Slow poll that catches what fs.watch misses (network filesystems, a re-created directory). */
  readonly pollMs?: number;
}

/**
 * Spurious calls are expected: the caller compares content (a fingerprint) to decide whether
 * anything changed. Written apart from the egress's watcher because gateway/ may not import egress/.
 */
export function watchDirectory(
  directory: string,
  onChange: () => void,
  options: DirectoryWatchOptions = {},
): { close(): void } {
  const debounceMs = options.debounceMs ?? 150;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };

  // fs.watch on a directory that does not exist yet throws; the poll retries until it appears.
  const ensureWatched = () => {
    if (watcher !== undefined || closed) return;
    try {
      const created = watch(directory, { persistent: false }, schedule);
      created.on('error', () => {
        created.close();
        if (watcher === created) watcher = undefined;
      });
      watcher = created;
    } catch {
      // Not there (yet).
    }
  };

  ensureWatched();
  const poll = setInterval(() => {
    ensureWatched();
    onChange();
  }, options.pollMs ?? 5_000);
  poll.unref();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
      watcher = undefined;
    },
  };
}
