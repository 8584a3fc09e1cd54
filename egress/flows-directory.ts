// Reads the config files the egress depends on (app.yaml, flows/*.yaml|yml) and watches them for changes.
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_FILE } from './egress-config.ts';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

export interface ConfigFiles {
  /** `<config>/app.yaml`, undefined when absent (all defaults). */
  readonly app: SourceFile | undefined;
  /** `<config>/flows/*.yaml|yml`, sorted by name so evaluation order does not depend on the disk. */
  readonly flows: readonly SourceFile[];
  /** Hash of every name and text: equal fingerprints mean nothing changed. */
  readonly fingerprint: string;
}

export const FLOWS_DIR = 'flows';
const flowFile = /\.ya?ml$/i;

async function readIfPresent(file: string): Promise<SourceFile | undefined> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function listFlowFiles(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && flowFile.test(entry.name) && !entry.name.startsWith('.'))
      .map((entry) => join(directory, entry.name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function readConfigFiles(configDir: string): Promise<ConfigFiles> {
  const app = await readIfPresent(join(configDir, APP_FILE));
  const names = await listFlowFiles(join(configDir, FLOWS_DIR));
  // A file deleted between listing and reading is simply not there any more.
  const flows = (await Promise.all(names.map(readIfPresent))).filter(
    (file): file is SourceFile => file !== undefined,
  );
  const hash = createHash('sha256');
  for (const file of [app, ...flows]) {
    if (file === undefined) continue;
    hash.update(file.file).update('\0').update(file.text).update('\0');
  }
  return { app, flows, fingerprint: hash.digest('hex') };
}

export interface WatchOptions {
  /** Quiet time after the last event before reloading (editors write in several steps). */
  readonly debounceMs?: number;
  /** Slow poll that catches what fs.watch misses (network filesystems, a re-created directory). */
  readonly pollMs?: number;
}

/**
 * Calls `onChange` (debounced) when anything under the config dir or its flows dir may have changed.
 * The caller decides whether something really changed (by fingerprint), so spurious calls are harmless.
 */
export function watchConfigDirectory(
  configDir: string,
  onChange: () => void,
  options: WatchOptions = {},
): { close(): void } {
  const debounceMs = options.debounceMs ?? 150;
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };

  // fs.watch on a directory that does not exist yet fails; the poll retries it.
  const ensureWatched = () => {
    for (const directory of [configDir, join(configDir, FLOWS_DIR)]) {
      if (watchers.has(directory)) continue;
      try {
        const watcher = watch(directory, { persistent: false }, schedule);
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(directory);
        });
        watchers.set(directory, watcher);
      } catch {
        // Not there (yet): the poll below notices when it appears.
      }
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
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
