// The hash chain as pure functions: what the hash covers, and the first break each kind of damage produces.
import { describe, expect, it } from 'vitest';
import { anEntry } from '../../test/fixtures/audit-entries.ts';
import { canonicalContent, createChainChecker, GENESIS_HASH, rowHash } from './audit-chain.ts';
import type { AuditEntry, AuditRow } from './audit-record.ts';

function chain(entries: AuditEntry[]): AuditRow[] {
  const rows: AuditRow[] = [];
  let prevHash = GENESIS_HASH;
  entries.forEach((entry, index) => {
    const id = index + 1;
    const row = { ...entry, id, prevHash, hash: rowHash(id, entry, prevHash) };
    rows.push(row);
    prevHash = row.hash;
  });
  return rows;
}

function firstBreak(rows: AuditRow[]) {
  const checker = createChainChecker();
  for (const row of rows) {
    const fault = checker.check(row);
    if (fault) return { ...fault, rowsBefore: checker.rows };
  }
  return { rows: checker.rows, headId: checker.headId, headHash: checker.headHash };
}

const five = chain([1, 2, 3, 4, 5].map((n) => anEntry({ callId: `call-${n}` })));

describe('rowHash', () => {
  it('is a SHA-256 in hex over a fixed-order JSON array that ends with the previous hash', () => {
    const entry = anEntry();
    expect(rowHash(1, entry, GENESIS_HASH)).toMatch(/^[0-9a-f]{64}$/);
    const text = canonicalContent(1, entry, GENESIS_HASH);
    expect(JSON.parse(text)).toEqual([
      'airlock-audit-v1',
      1,
      entry.time,
      'eng-agent',
      'claude-code',
      'session-1',
      'github',
      'tools/call',
      'create_issue',
      'github__create_issue',
      'ok',
      null,
      12.5,
      entry.arguments,
      'call-1',
      GENESIS_HASH,
    ]);
  });

  it.each<[string, Partial<AuditEntry>]>([
    ['time', { time: 1 }],
    ['consumer', { consumer: 'cs-agent' }],
    ['client name (null vs text)', { clientName: null }],
    ['session', { sessionId: 'session-2' }],
    ['server', { server: null }],
    ['kind', { kind: 'prompts/get' }],
    ['target', { target: 'delete_repository' }],
    ['exposed name', { exposedName: 'x' }],
    ['outcome', { outcome: 'denied' }],
    ['detail', { detail: 'Tool x is not available' }],
    ['duration', { durationMs: 12.500001 }],
    ['arguments', { arguments: '{"title":"Bug!","body":"It breaks"}' }],
    ['call id', { callId: 'call-2' }],
  ])('changes when the %s changes', (_, change) => {
    expect(rowHash(1, anEntry(change), GENESIS_HASH)).not.toBe(rowHash(1, anEntry(), GENESIS_HASH));
  });

  it('changes with the position and with the previous hash', () => {
    const base = rowHash(1, anEntry(), GENESIS_HASH);
    expect(rowHash(2, anEntry(), GENESIS_HASH)).not.toBe(base);
    expect(rowHash(1, anEntry(), 'f'.repeat(64))).not.toBe(base);
  });
});

describe('createChainChecker', () => {
  it('accepts an intact chain and reports its head', () => {
    expect(firstBreak(five)).toEqual({ rows: 5, headId: 5, headHash: five[4]!.hash });
  });

  it('accepts an empty chain', () => {
    expect(firstBreak([])).toEqual({ rows: 0, headId: null, headHash: GENESIS_HASH });
  });

  it.each<[string, (rows: AuditRow[]) => AuditRow[], number, string, number]>([
    [
      'changed arguments',
      (rows) => rows.map((r) => (r.id === 3 ? { ...r, arguments: '{}' } : r)),
      3,
      'hash mismatch at row 3',
      2,
    ],
    [
      'a changed row with its hash recomputed',
      (rows) =>
        rows.map((r) =>
          r.id === 3
            ? { ...r, outcome: 'denied', hash: rowHash(3, { ...r, outcome: 'denied' }, r.prevHash) }
            : r,
        ),
      4,
      'chain broken between 3 and 4',
      3,
    ],
    [
      'a deleted row',
      (rows) => rows.filter((r) => r.id !== 3),
      4,
      'chain broken between 2 and 4',
      2,
    ],
    [
      'the first row deleted',
      (rows) => rows.slice(1),
      2,
      'chain broken before row 2: it does not start the chain from the genesis hash',
      0,
    ],
    [
      'two rows swapped',
      (rows) => [rows[0]!, rows[2]!, rows[1]!, rows[3]!, rows[4]!],
      3,
      'chain broken between 1 and 3',
      1,
    ],
    [
      'a row renumbered into a gap',
      (rows) => rows.map((r) => (r.id === 5 ? { ...r, id: 6 } : r)),
      6,
      'chain broken between 4 and 6',
      4,
    ],
  ])('finds %s', (_, damage, firstBadId, reason, rowsBefore) => {
    expect(firstBreak(damage(five))).toEqual({ firstBadId, reason, rowsBefore });
  });
});
