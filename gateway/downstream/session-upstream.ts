// The upstream operations a session needs, and the per-call context that routes progress, logs and server requests back to it.
import type { CallContext, Upstream } from '../upstream/upstream-types.ts';

/** Built per call by the session; every callback is present (the upstream layer treats them as optional). */
export interface UpstreamCallContext extends Required<CallContext> {
  /** Correlates the audit row with egress records made during the call. */
  readonly callId: string;
}

/** What a session calls on an upstream; errors thrown carry the server's name in their message. */
export type SessionUpstream = Pick<
  Upstream,
  | 'callTool'
  | 'getPrompt'
  | 'readResource'
  | 'complete'
  | 'setLoggingLevel'
  | 'subscribeResource'
  | 'unsubscribeResource'
>;
