// Throwaway directories for one bench run (configs, logs, pid files), removed when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

/** A fresh directory under the system temp dir; gone after the bench exits, however it exits. */
export function benchTempDir(purpose: string): string {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), `airlock-bench-${purpose}-`));
  made.push(dir);
  return dir;
}
