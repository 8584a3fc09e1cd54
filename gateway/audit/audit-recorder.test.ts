// The recorder between the endpoint and the store: redacts arguments and details, returns write failures as values.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { anEntry } from '../../test/fixtures/audit-entries.ts';
import { AuditError } from './audit-error.ts';
import { createAuditRecorder } from './audit-recorder.ts';
import { openAuditStore } from './audit-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function aStore() {
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-audit-recorder-'));
  dirs.push(dataDir);
  return openAuditStore({ dataDir });
}

const { arguments: _ignored, ...call } = anEntry();

describe('createAuditRecorder', () => {
  it('stores redacted, capped arguments and a redacted detail', () => {
    const store = aStore();
    const recorder = createAuditRecorder(store, { maxArgumentBytes: 80 });
    const row = recorder.record({
      ...call,
      outcome: 'error',
      detail: `upstream said: bad credentials ghp_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'}`,
      args: { token: 'abc', query: 'q'.repeat(200) },
    });
    expect(row).not.toBeInstanceOf(AuditError);
    const stored = store.get((row as { id: number }).id)!;
    expect(stored.detail).toBe('upstream said: bad credentials [redacted]');
    expect(stored.arguments).toMatch(
      /^"\{\\"token\\":\\"\[redacted\]\\",\\"query\\":\\"q+…\[truncated \d+ bytes\]"$/,
    );
    expect(Buffer.byteLength(stored.arguments!)).toBeLessThanOrEqual(80);
    store.close();
  });

  it('redacts a token in a resource URI and caps a long detail', () => {
    const store = aStore();
    const row = createAuditRecorder(store, { maxDetailLength: 10 }).record({
      ...call,
      kind: 'resources/read',
      target: 'docs://page?token=s3cr3t&lang=en',
      detail: 'x'.repeat(25),
      args: { uri: 'docs://page' },
    }) as { target: string; detail: string };
    expect(row.target).toBe('docs://page?token=[redacted]&lang=en');
    expect(row.detail).toBe('xxxxxxxxxx…[truncated 15 characters]');
    store.close();
  });

  it('returns the store’s error as a value when the append fails', () => {
    const store = aStore();
    store.close();
    const result = createAuditRecorder(store).record({ ...call, args: {} });
    expect(result).toBeInstanceOf(AuditError);
    expect((result as AuditError).code).toBe('AUDIT_CLOSED');
  });

  it('keeps a call without arguments as null', () => {
    const store = aStore();
    const row = createAuditRecorder(store).record({
      ...call,
      kind: 'resources/read',
      args: undefined,
    });
    expect((row as { arguments: unknown }).arguments).toBeNull();
    store.close();
  });
});
