// Watches mcp.json and app.yaml; reports each new content once: a valid config to swap in, or the errors.
import type { DirectoryWatchOptions } from './directory-watcher.ts';
import { watchDirectory } from './directory-watcher.ts';
import {
  buildGatewayConfig,
  type GatewayConfigResult,
  readGatewayConfigFiles,
} from './load-config.ts';

export interface GatewayConfigWatchOptions extends DirectoryWatchOptions {
  /** Fingerprint of the config already serving (from loadGatewayConfig); that content is not reported again. */
  readonly initialFingerprint?: string;
}

export interface GatewayConfigWatcher {
  /** Re-reads now (e.g. on SIGHUP); resolves after `onChange` ran, if the content changed. Calls never overlap. */
  check(): Promise<void>;
  close(): void;
}

/**
 * `onChange` gets `{ok: true, config}` to swap in, or `{ok: false, errors}`: then the caller keeps the
 * last good config. A given content is reported once, so a bad file is not re-reported at every poll.
 */
export function watchGatewayConfig(
  configDir: string,
  onChange: (result: GatewayConfigResult) => void,
  options: GatewayConfigWatchOptions = {},
): GatewayConfigWatcher {
  let seen: string | undefined = options.initialFingerprint;
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  async function checkOnce(): Promise<void> {
    if (closed) return;
    const files = await readGatewayConfigFiles(configDir);
    if ('errors' in files) {
      const key = `unreadable:${files.errors.map((e) => e.message).join('\n')}`;
      if (key === seen) return;
      seen = key;
      onChange({ ok: false, errors: files.errors, fingerprint: key });
      return;
    }
    if (seen === undefined) {
      // No baseline given: the content at watch start is the one already serving.
      seen = files.fingerprint;
      return;
    }
    if (files.fingerprint === seen || closed) return;
    seen = files.fingerprint;
    onChange(buildGatewayConfig(files));
  }

  const check = () => {
    const next = queue.then(checkOnce);
    queue = next.catch(() => undefined);
    return next;
  };
  const watcher = watchDirectory(configDir, () => void check().catch(() => undefined), options);
  if (seen === undefined) void check().catch(() => undefined);

  return {
    check,
    close() {
      closed = true;
      watcher.close();
    },
  };
}
