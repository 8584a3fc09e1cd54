// What the running gateway tells observers (the dashboard's live feed): calls, sessions, server changes, reloads.
import type { AuditRow } from './audit/audit-record.ts';

export type GatewayEvent =
  /** One audited call, prompt get, resource read or refusal, as stored (arguments already redacted). */
  | { readonly type: 'call'; readonly row: AuditRow }
  | {
      readonly type: 'session';
      readonly action: 'opened' | 'closed';
      readonly id: string;
      readonly consumer: string;
    }
  /** An upstream's catalog or state changed; read `upstreams()` for the new picture. */
  | { readonly type: 'server' }
  | {
      readonly type: 'config';
      readonly time: number;
      readonly result: 'success' | 'failure' | 'unchanged';
      readonly errors: readonly string[];
    };

/** Observers never reach back into the gateway: a throwing listener is the listener's problem. */
export type GatewayEventListener = (event: GatewayEvent) => void;
