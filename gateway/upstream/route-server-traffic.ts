// Which in-flight call an upstream's request, log or notification belongs to: a pure decision.

export interface InFlightCall {
  /** The gateway's id for the call (order of arrival). */
  readonly id: number;
  readonly sessionId: string;
  /** The JSON-RPC id the call was sent upstream with, once sent. */
  readonly requestId: string | number | undefined;
}

export type Recipient =
  | { readonly kind: 'call'; readonly callId: number; readonly reason: string }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * 1. A related request id (streamable HTTP: the POST stream it arrived on) names the call.
 * 2. Without one (stdio, SSE, the GET stream), if every call in flight belongs to one session,
 *    that session's newest call: the traffic cannot belong to anyone else.
 * 3. Otherwise nobody: a sampling prompt or elicitation for one agent must never reach another.
 */
export function chooseRecipient(
  inFlight: readonly InFlightCall[],
  related: string | number | undefined,
): Recipient {
  if (related !== undefined) {
    const call = inFlight.find((c) => c.requestId === related);
    if (call) return { kind: 'call', callId: call.id, reason: 'related request id' };
    return { kind: 'none', reason: 'the call it belongs to has ended' };
  }
  if (inFlight.length === 0) return { kind: 'none', reason: 'no call in flight' };
  const sessions = new Set(inFlight.map((c) => c.sessionId));
  if (sessions.size > 1) {
    return { kind: 'none', reason: 'calls from several sessions are in flight' };
  }
  const newest = inFlight.reduce((a, b) => (b.id > a.id ? b : a));
  return { kind: 'call', callId: newest.id, reason: 'only one session has calls in flight' };
}
