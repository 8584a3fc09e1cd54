// Runs the audit database's WAL checkpoints on a worker thread, so their fsync never stalls an append or the event loop.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** How often the WAL is copied back into the database file (the writer has auto-checkpoints off). */
export const CHECKPOINT_INTERVAL_MS = 1000;

export interface WalCheckpointer {
  /** Stops the timer and the worker; safe to call twice. */
  stop(): void;
}

export interface WalCheckpointerOptions {
  readonly intervalMs?: number;
  /** The worker died or never started: the writer must checkpoint again itself, or the WAL grows forever. */
  readonly onLost?: () => void;
}

interface CheckpointerData {
  readonly path: string;
  readonly intervalMs: number;
}

/**
 * Starts the worker for the database at `path`. PASSIVE never waits for the writer or readers: a
 * checkpoint that cannot finish now simply finishes at a later tick. The worker is unref'd, so it never
 * keeps a process alive, and its errors are ignored: the next tick (or the next open) retries.
 */
export function startWalCheckpointer(
  path: string,
  options: WalCheckpointerOptions = {},
): WalCheckpointer {
  const data: CheckpointerData = { path, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS };
  let stopped = false;
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  worker.unref();
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    if (!stopped) options.onLost?.();
  });
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}

function runWorker(data: CheckpointerData): void {
  const port = parentPort;
  if (port === null) return;
  const db = new Database(data.path, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const timer = setInterval(() => {
    try {
      checkpoint.run();
    } catch {
      // Busy or locked: the next tick tries again.
    }
  }, data.intervalMs);
  port.on('message', () => {
    clearInterval(timer);
    try {
      checkpoint.run();
    } catch {
      // The writer's close() checkpoints too.
    }
    db.close();
    port.close();
  });
}

if (!isMainThread && (workerData as Partial<CheckpointerData> | null)?.path !== undefined) {
  runWorker(workerData as CheckpointerData);
}
