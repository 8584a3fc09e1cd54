// Folds a batch of records into the rollup, latency, endpoint and first-seen deltas one flush writes.
import type { EgressRecord } from './egress-record.ts';
import { endpointTemplate } from './endpoint-template.ts';
import { latencyBucket } from './latency-buckets.ts';

/** A record as queued: the record and whether its provider was new to its server when it arrived. */
export interface QueuedRecord {
  readonly record: EgressRecord;
  readonly newProvider: boolean;
}

export interface RollupDelta {
  readonly server: string;
  readonly provider: string;
  requests: number;
  errors: number;
  blocked: number;
  reported: number;
  bytesUp: number;
  bytesDown: number;
  firstSeen: number;
  lastSeen: number;
  /** Latency bucket → count, for the records that reached (or tried to reach) the origin. */
  readonly latency: Map<number, number>;
}

export interface EndpointDelta {
  readonly server: string;
  readonly method: string;
  readonly host: string;
  readonly port: number;
  readonly template: string;
  readonly provider: string;
  count: number;
  blocked: number;
  firstSeen: number;
  lastSeen: number;
}

export interface ProviderSighting {
  readonly server: string;
  readonly provider: string;
  readonly firstSeen: number;
}

export interface BatchDeltas {
  readonly rollups: RollupDelta[];
  readonly endpoints: EndpointDelta[];
  readonly providers: ProviderSighting[];
}

/** Transport errors, and 5xx answers from an origin (a generated deny is never an error). */
export function isError(record: EgressRecord): boolean {
  if (record.error !== null) return true;
  return record.decision !== 'deny' && record.status !== null && record.status >= 500;
}

/** An endpoint is a method on a visible path; tunnels and unparsable requests have none. */
function hasEndpoint(record: EgressRecord): record is EgressRecord & { path: string } {
  return record.path !== null && record.host !== '' && record.method !== 'CONNECT';
}

export function foldBatch(batch: readonly QueuedRecord[]): BatchDeltas {
  const rollups = new Map<string, RollupDelta>();
  const endpoints = new Map<string, EndpointDelta>();
  const providers: ProviderSighting[] = [];

  for (const { record, newProvider } of batch) {
    const { server, provider, time } = record;
    const blocked = record.decision === 'deny' ? 1 : 0;
    if (newProvider) providers.push({ server, provider, firstSeen: time });

    const rollupKey = `${server}\0${provider}`;
    let rollup = rollups.get(rollupKey);
    if (!rollup) {
      rollup = {
        server,
        provider,
        requests: 0,
        errors: 0,
        blocked: 0,
        reported: 0,
        bytesUp: 0,
        bytesDown: 0,
        firstSeen: time,
        lastSeen: time,
        latency: new Map(),
      };
      rollups.set(rollupKey, rollup);
    }
    rollup.requests += 1;
    rollup.errors += isError(record) ? 1 : 0;
    rollup.blocked += blocked;
    rollup.reported += record.decision === 'report' ? 1 : 0;
    rollup.bytesUp += record.bytesUp;
    rollup.bytesDown += record.bytesDown;
    rollup.firstSeen = Math.min(rollup.firstSeen, time);
    rollup.lastSeen = Math.max(rollup.lastSeen, time);
    // A deny never left the egress: its duration says nothing about the provider's latency.
    if (!blocked) {
      const bucket = latencyBucket(record.durationMs);
      rollup.latency.set(bucket, (rollup.latency.get(bucket) ?? 0) + 1);
    }

    if (!hasEndpoint(record)) continue;
    const template = endpointTemplate(record.path);
    const endpointKey = `${server}\0${record.method}\0${record.host}\0${record.port}\0${template}`;
    let endpoint = endpoints.get(endpointKey);
    if (!endpoint) {
      endpoint = {
        server,
        method: record.method,
        host: record.host,
        port: record.port,
        template,
        provider,
        count: 0,
        blocked: 0,
        firstSeen: time,
        lastSeen: time,
      };
      endpoints.set(endpointKey, endpoint);
    }
    endpoint.count += 1;
    endpoint.blocked += blocked;
    endpoint.firstSeen = Math.min(endpoint.firstSeen, time);
    endpoint.lastSeen = Math.max(endpoint.lastSeen, time);
  }

  return { rollups: [...rollups.values()], endpoints: [...endpoints.values()], providers };
}
