// The audit log's hash chain (pure): the canonical text of a row, its SHA-256, and the check of rows in order.
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRow } from './audit-record.ts';

/** The previous hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Written into every hashed text, so a later layout can never be confused with this one. */
const CHAIN_VERSION = 'airlock-audit-v1';

/**
 * One JSON array, fields in a fixed order: no key order, whitespace or number spelling left to chance.
 * The id is part of it, so a row moved to another position no longer matches its hash.
 */
export function canonicalContent(id: number, entry: AuditEntry, prevHash: string): string {
  return JSON.stringify([
    CHAIN_VERSION,
    id,
    entry.time,
    entry.consumer,
    entry.clientName,
    entry.sessionId,
    entry.server,
    entry.kind,
    entry.target,
    entry.exposedName,
    entry.outcome,
    entry.detail,
    entry.durationMs,
    entry.arguments,
    entry.callId,
    prevHash,
  ]);
}

/** SHA-256 (hex) of the row's content fields and the previous row's hash. */
export function rowHash(id: number, entry: AuditEntry, prevHash: string): string {
  return createHash('sha256')
    .update(canonicalContent(id, entry, prevHash), 'utf8')
    .digest('hex');
}

/** Where the chain first fails: the row, and one sentence saying how. */
export interface ChainBreak {
  readonly firstBadId: number;
  readonly reason: string;
}

export interface ChainChecker {
  /** Checks the next row (rows must come in id order); the first break, or undefined while intact. */
  check(row: AuditRow): ChainBreak | undefined;
  /** Rows checked so far. */
  readonly rows: number;
  /** The last row checked, and its stored hash (GENESIS_HASH and null before any row). */
  readonly headId: number | null;
  readonly headHash: string;
}

/** Checks a chain one row at a time, so a long log is verified without holding it in memory. */
export function createChainChecker(): ChainChecker {
  let rows = 0;
  let headId: number | null = null;
  let headHash = GENESIS_HASH;
  return {
    check(row) {
      const verdict = checkRow(row, headId, headHash);
      if (verdict) return verdict;
      rows += 1;
      headId = row.id;
      headHash = row.hash;
      return undefined;
    },
    get rows() {
      return rows;
    },
    get headId() {
      return headId;
    },
    get headHash() {
      return headHash;
    },
  };
}

/**
 * A row comes right after the previous one (ids have no gaps: the store hands them out one by one),
 * links to it (its prev_hash is that row's hash), and its own hash matches its content.
 */
function checkRow(
  row: AuditRow,
  previousId: number | null,
  previousHash: string,
): ChainBreak | undefined {
  if (previousId === null) {
    if (row.id !== 1 || row.prevHash !== GENESIS_HASH) {
      return {
        firstBadId: row.id,
        reason: `chain broken before row ${row.id}: it does not start the chain from the genesis hash`,
      };
    }
  } else if (row.id !== previousId + 1 || row.prevHash !== previousHash) {
    return { firstBadId: row.id, reason: `chain broken between ${previousId} and ${row.id}` };
  }
  if (rowHash(row.id, row, row.prevHash) !== row.hash) {
    return { firstBadId: row.id, reason: `hash mismatch at row ${row.id}` };
  }
  return undefined;
}
