// The calls one upstream connection has in flight: who made each, its JSON-RPC id, and how to fail it.
import { markerOf } from './related-request-fetch.ts';
import { chooseRecipient, type InFlightCall } from './route-server-traffic.ts';
import { crashedWhile } from './upstream-errors.ts';
import type { CallContext } from './upstream-types.ts';

export interface TrackedCall extends InFlightCall {
  requestId: string | number | undefined;
  readonly method: string;
  readonly ctx: CallContext | undefined;
  readonly reject: (error: unknown) => void;
}

export interface InFlightCalls {
  add(method: string, ctx: CallContext | undefined, reject: (error: unknown) => void): TrackedCall;
  remove(call: TrackedCall): void;
  /** Calls sent with this JSON-RPC id (the progress token is the request id). */
  withRequestId(id: unknown): TrackedCall[];
  /** The call a server request or notification belongs to, or why there is none. */
  recipientOf(params: unknown): TrackedCall | string;
  /** Rejects the matching calls (all by default) with "upstream server 'x' <what> while handling <method>". */
  fail(server: string, what: string, requestId?: string | number): void;
}

export function createInFlightCalls(): InFlightCalls {
  const calls = new Map<number, TrackedCall>();
  let nextId = 1;
  return {
    add(method, ctx, reject) {
      const call: TrackedCall = {
        id: nextId++,
        sessionId: ctx?.sessionId ?? '',
        requestId: undefined,
        method,
        ctx,
        reject,
      };
      calls.set(call.id, call);
      return call;
    },
    remove(call) {
      calls.delete(call.id);
    },
    withRequestId(id) {
      return [...calls.values()].filter((call) => call.requestId === id);
    },
    recipientOf(params) {
      const choice = chooseRecipient([...calls.values()], markerOf(params));
      if (choice.kind === 'none') return choice.reason;
      return calls.get(choice.callId) ?? 'the call it belongs to has ended';
    },
    fail(server, what, requestId) {
      for (const call of [...calls.values()]) {
        if (requestId !== undefined && call.requestId !== requestId) continue;
        calls.delete(call.id);
        call.reject(crashedWhile(server, what, call.method));
      }
    },
  };
}
