// The telemetry store's closed family of errors, each with a stable string `code`.

export type TelemetryErrorCode =
  /** A reader asked for a database the egress has not created yet. */
  | 'TELEMETRY_DB_MISSING'
  /** SQLite refused to open the file (permissions, not a database). */
  | 'TELEMETRY_OPEN_FAILED'
  /** The file was written by a different Airlock schema version. */
  | 'TELEMETRY_SCHEMA_UNSUPPORTED'
  /** A batch could not be written (disk full, locked); it stays queued. */
  | 'TELEMETRY_WRITE_FAILED'
  /** append on a store opened read-only. */
  | 'TELEMETRY_READONLY'
  /** append after close. */
  | 'TELEMETRY_CLOSED';

export class TelemetryError extends Error {
  readonly code: TelemetryErrorCode;

  constructor(code: TelemetryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelemetryError';
    this.code = code;
  }
}
