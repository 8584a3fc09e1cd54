// Cost of one audit append (redaction + hash + its own SQLite transaction), synchronous=NORMAL vs FULL; prints only.
// Run: node test/bench/audit-append-bench.ts [APPENDS]   (default 10,000; the data lives in a temp dir)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditStore } from '../../gateway/audit/audit-store.ts';
import { redactArguments } from '../../gateway/audit/redact.ts';
import { anEntry } from '../fixtures/audit-entries.ts';
import { percentile } from './stats.ts';

const appends = Number(process.argv[2] ?? 10_000);
const args = {
  owner: 'acme',
  repo: 'widgets',
  title: 'Crash when saving a widget with an empty name',
  body: 'Steps: open the editor, clear the name, press save. Expected an error, got a crash.',
  labels: ['bug', 'editor'],
  token: 'never-stored',
};

function measure(synchronous: 'normal' | 'full'): void {
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-audit-bench-'));
  const store = openAuditStore({ dataDir }, { synchronous });
  const micros: number[] = [];
  const redactMicros: number[] = [];
  try {
    const warmup = Math.min(500, Math.floor(appends / 10));
    for (let i = 0; i < appends + warmup; i += 1) {
      const start = process.hrtime.bigint();
      const argumentsJson = redactArguments(args);
      const redacted = process.hrtime.bigint();
      store.append(anEntry({ time: Date.now(), callId: `bench-${i}`, arguments: argumentsJson }));
      const end = process.hrtime.bigint();
      if (i < warmup) continue;
      redactMicros.push(Number(redacted - start) / 1000);
      micros.push(Number(end - redacted) / 1000);
    }
    const verifyStart = process.hrtime.bigint();
    const verdict = store.verify();
    const verifyMs = Number(process.hrtime.bigint() - verifyStart) / 1e6;
    const line = (name: string, values: number[]): string =>
      `${name.padEnd(22)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} µs   p99 ${percentile(values, 99).toFixed(1).padStart(8)} µs   max ${Math.max(
        ...values,
      )
        .toFixed(0)
        .padStart(7)} µs`;
    const total = micros.reduce((a, b) => a + b, 0) / 1e6;
    process.stdout.write(
      [
        `synchronous=${synchronous.toUpperCase()}, ${appends} appends (after ${warmup} warm-up):`,
        `  ${line('append (hash + commit)', micros)}`,
        `  ${line('redactArguments', redactMicros)}`,
        `  ${(appends / total).toFixed(0)} appends/s one after another; verify of ${verdict.ok ? verdict.rows : '?'} rows: ${verifyMs.toFixed(0)} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.stdout.write(`audit append bench, node ${process.version}, data in ${tmpdir()}\n`);
measure('normal');
measure('full');
