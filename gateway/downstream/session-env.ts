// What a session server needs from the rest of the gateway: the consumer's view, the upstreams, and where records go.
import type { AuditEntry } from '../audit/audit-record.ts';
import type { EgressCorrelation } from '../egress-correlation.ts';
import type { ResourceSubscriptions } from './resource-subscriptions.ts';
import type { SessionCatalog } from './session-catalog.ts';
import type { SessionUpstream } from './session-upstream.ts';

/** One audit event as the session sees it; the service redacts `rawArguments` into `AuditEntry.arguments`. */
export type SessionRecord = Omit<AuditEntry, 'arguments'> & { readonly rawArguments: unknown };

export interface SessionEnv {
  /** The consumer's current view (cheap: built once per config/catalog change, then shared). */
  catalog(consumer: string): SessionCatalog;
  /** The running upstream of that name, or undefined when it is not configured. */
  upstream(server: string): SessionUpstream | undefined;
  /** Audit row + metrics for one call, prompt get, resource read or refusal. */
  record(event: SessionRecord): void;
  /** Shared across sessions: one upstream subscription per resource. */
  readonly subscriptions: ResourceSubscriptions;
  /** Tool calls in flight, for attributing egress blocks to them (absent: no feedback). */
  readonly egress?: EgressCorrelation;
}
