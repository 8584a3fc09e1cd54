// What the dashboard needs from the egress, as an interface: `gateway/` never imports egress internals; `airlock up` injects it.

/** One outbound request or tunnel as the egress recorded it (structurally the egress's EgressRecord). */
export interface OutboundRecord {
  readonly time: number;
  readonly server: string;
  readonly method: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly path: string | null;
  readonly provider: string;
  readonly decision: 'allow' | 'deny' | 'report';
  readonly flow: string | null;
  readonly processor: string | null;
  readonly reason: string;
  readonly status: number | null;
  readonly durationMs: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly error: string | null;
  readonly dialed: string | null;
  readonly toolCall: string | null;
}

/** A record as stored, with its row id and whether its provider was new to its server then. */
export interface StoredOutboundRecord extends OutboundRecord {
  readonly id: number;
  readonly newProvider: boolean;
}

export interface OutboundRollup {
  readonly server: string;
  readonly provider: string;
  readonly requests: number;
  readonly errors: number;
  readonly blocked: number;
  readonly reported: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

export interface OutboundEndpoint {
  readonly server: string;
  readonly method: string;
  readonly host: string;
  readonly port: number;
  readonly template: string;
  readonly provider: string;
  readonly count: number;
  readonly blocked: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** A flow by name, and the servers its filter names (null: it applies to every server). */
export interface FlowSummary {
  readonly name: string;
  readonly servers: readonly string[] | null;
}

export interface TelemetrySource {
  /** Denied and would-deny records at or after `since`, newest first (the `airlock report blocked` data). */
  blocked(query: {
    readonly since: number;
    readonly server?: string;
    readonly limit?: number;
  }): StoredOutboundRecord[];
  records(query: {
    readonly server?: string;
    readonly provider?: string;
    readonly since?: number;
    readonly limit?: number;
  }): StoredOutboundRecord[];
  rollups(query: { readonly server?: string }): OutboundRollup[];
  endpoints(query: { readonly server?: string; readonly provider?: string }): OutboundEndpoint[];
  /** The report's own CSV/JSON rendering, so the export is byte-for-byte `airlock report blocked`. */
  formatBlocked(records: readonly StoredOutboundRecord[], format: 'csv' | 'json'): string;
  /** The flows loaded now (for each server's egress policy summary). */
  flows(): Promise<readonly FlowSummary[]>;
  /** Called with each new record as the egress finishes it; returns the unsubscribe function. */
  subscribe(listener: (record: OutboundRecord) => void): () => void;
}
