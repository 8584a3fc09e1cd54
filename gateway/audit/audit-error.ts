// The audit store's closed family of errors, each with a stable string `code`.

export type AuditErrorCode =
  /** A reader asked for a database the gateway has not created yet. */
  | 'AUDIT_DB_MISSING'
  /** SQLite refused to open the file (permissions, not a database). */
  | 'AUDIT_OPEN_FAILED'
  /** The file was written by a different Airlock schema version. */
  | 'AUDIT_SCHEMA_UNSUPPORTED'
  /** The insert failed (disk full, locked): the entry is NOT recorded. */
  | 'AUDIT_WRITE_FAILED'
  /** An entry with a field the store cannot keep faithfully (a non-finite number, an unknown outcome). */
  | 'AUDIT_INVALID_ENTRY'
  /** append on a store opened read-only. */
  | 'AUDIT_READONLY'
  /** Any call after close. */
  | 'AUDIT_CLOSED';

export class AuditError extends Error {
  readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
    this.code = code;
  }
}
