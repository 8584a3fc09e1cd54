// One record per outbound request or tunnel: the same shape goes to the log, the store, the metrics and the API.
import type { DecisionKind } from '../flows/types.ts';

export interface EgressRecord {
  /** Start of the request, ms since the epoch. */
  readonly time: number;
  readonly server: string;
  /** Upper case; `CONNECT` for a tunnel without interception. */
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** Normalised host as the flows saw it (empty when the request could not be parsed). */
  readonly host: string;
  readonly port: number;
  /** Path without query, when visible (absolute-form HTTP); null in a tunnel. */
  readonly path: string | null;
  /** Registrable domain of the host (`slack.com`), or the host itself for IPs and single labels. */
  readonly provider: string;
  readonly decision: DecisionKind;
  /** The flow and processor that decided, null when the egress default or a guard decided. */
  readonly flow: string | null;
  readonly processor: string | null;
  /** Why it was decided so (the engine's reason, the address guard's, or the hygiene check's). */
  readonly reason: string;
  /** Status sent to the client: the origin's, or the generated one; null for a tunnel that was opened. */
  readonly status: number | null;
  readonly durationMs: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Transport error (connect refused, timeout, reset), null when none. */
  readonly error: string | null;
  /** The address actually dialed (after the address guard), null when nothing was dialed. */
  readonly dialed: string | null;
  /** The gateway's tool call in flight when this happened, when known (filled by a later issue). */
  readonly toolCall: string | null;
}

/** Receives finished records; the proxy knows nothing else about who listens. */
export type EgressRecordSink = (record: EgressRecord) => void;
