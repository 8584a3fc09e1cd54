import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from './wal-checkpointer.ts';

describe('startWalCheckpointer', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed WAL frames into the database file while the writer never checkpoints', async () => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-wal-'));
    const path = join(dir, 'audit.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 200; i += 1) insert.run('x'.repeat(500));
    const before = statSync(path).size;
    const checkpointer = startWalCheckpointer(path, { intervalMs: 20 });
    try {
      const deadline = Date.now() + 5000;
      while (statSync(path).size === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statSync(path).size).toBeGreaterThan(before);
    } finally {
      checkpointer.stop();
      checkpointer.stop();
      db.close();
    }
  });

  it('reports a worker that could not open the database, so the writer can checkpoint itself', async () => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-wal-'));
    const lost = await new Promise<boolean>((resolve) => {
      startWalCheckpointer(join(dir!, 'missing.db'), { onLost: () => resolve(true) });
      setTimeout(() => resolve(false), 5000).unref();
    });
    expect(lost).toBe(true);
  });
});
