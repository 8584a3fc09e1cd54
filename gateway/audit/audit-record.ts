// One audit record per tool call, prompt get, resource read or denied attempt; hash-chained in the store.

export type AuditKind = 'tools/call' | 'prompts/get' | 'resources/read';

/** `denied`: refused before the upstream (permission, disabled, unknown); `error`: the upstream failed. */
export type AuditOutcome = 'ok' | 'tool-error' | 'error' | 'denied' | 'cancelled';

export interface AuditEntry {
  /** ms since the epoch, when the call arrived. */
  readonly time: number;
  readonly consumer: string;
  readonly clientName: string | null;
  readonly sessionId: string | null;
  readonly server: string | null;
  readonly kind: AuditKind;
  /** Tool or prompt name as the upstream knows it, or the resource URI. */
  readonly target: string;
  /** The name the agent used (`server__tool`). */
  readonly exposedName: string;
  readonly outcome: AuditOutcome;
  /** One sentence: why denied, or the error message (never a secret). */
  readonly detail: string | null;
  readonly durationMs: number;
  /** JSON of the arguments, secret-like values redacted, size-capped. */
  readonly arguments: string | null;
  /** Correlation id shared with egress records made during the call. */
  readonly callId: string;
}

/** What the store adds: position in the chain and the hashes. */
export interface AuditRow extends AuditEntry {
  readonly id: number;
  readonly prevHash: string;
  readonly hash: string;
}
