// What the gateway knows about one downstream session: who it is, since when, how busy; and the registry of live sessions.
import type { IncomingHttpHeaders } from 'node:http';
import type { IdentityResult, IdentitySource } from '../policy/identity.ts';

export type { IdentityResult, IdentitySource };

export type DownstreamTransport = 'streamable-http' | 'sse';

/** Resolves the consumer from request headers and the `initialize` client name (policy lives elsewhere). */
export type Identify = (headers: IncomingHttpHeaders, clientName: string | null) => IdentityResult;

/** A read-only snapshot for the dashboard and tests. */
export interface SessionInfo {
  readonly id: string;
  readonly transport: DownstreamTransport;
  readonly consumer: string;
  readonly identitySource: IdentitySource;
  readonly clientName: string | null;
  readonly protocolVersion: string | null;
  /** ms since the epoch. */
  readonly since: number;
  readonly calls: number;
  readonly lastCallAt: number | null;
  /** Exposed name of the last tool/prompt/resource used. */
  readonly lastCall: string | null;
}

/** Mutable per-session record. */
export interface SessionState {
  readonly id: string;
  readonly transport: DownstreamTransport;
  /** Settled at `initialize` (legacy SSE learns the client name only then) and never changed after. */
  consumer: string;
  identitySource: IdentitySource;
  clientName: string | null;
  protocolVersion: string | null;
  readonly since: number;
  calls: number;
  lastCallAt: number | null;
  lastCall: string | null;
}

export function newSessionState(init: {
  id: string;
  transport: DownstreamTransport;
  identity: { consumer: string; source: IdentitySource };
  clientName: string | null;
  protocolVersion: string | null;
  now?: number;
}): SessionState {
  return {
    id: init.id,
    transport: init.transport,
    consumer: init.identity.consumer,
    identitySource: init.identity.source,
    clientName: init.clientName,
    protocolVersion: init.protocolVersion,
    since: init.now ?? Date.now(),
    calls: 0,
    lastCallAt: null,
    lastCall: null,
  };
}

export function recordCall(state: SessionState, exposedName: string, now = Date.now()): void {
  state.calls += 1;
  state.lastCallAt = now;
  state.lastCall = exposedName;
}

export function snapshot(state: SessionState): SessionInfo {
  return { ...state };
}

/**
 * A later request on an existing session: with auth on it must carry a key for the same consumer
 * (a stolen session id alone is not enough); with auth off there is nothing to prove.
 */
export function checkContinuity(
  state: SessionState,
  current: IdentityResult,
  authEnabled: boolean,
):
  | { readonly allow: true }
  | { readonly allow: false; readonly status: 401 | 403; readonly reason: string } {
  if (!authEnabled) return { allow: true };
  if (!current.ok) return { allow: false, status: current.status, reason: current.message };
  if (current.consumer !== state.consumer) {
    return { allow: false, status: 403, reason: 'API key does not belong to this session' };
  }
  return { allow: true };
}
