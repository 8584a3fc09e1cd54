// Tool calls in flight per server, and which of them an egress event happened during: the gateway's half of block feedback.

/** What the gateway needs of an egress record; the egress's EgressRecord has this shape (the gateway never imports it). */
export interface EgressEvent {
  /** Start of the request, ms since the epoch. */
  readonly time: number;
  readonly server: string;
  readonly method: string;
  readonly host: string;
  readonly port: number;
  readonly path: string | null;
  readonly decision: 'allow' | 'deny' | 'report';
  readonly flow: string | null;
  readonly processor: string | null;
  readonly reason: string;
}

/** One denied (or, in report mode, would-be-denied) request as the tool result carries it. */
export interface EgressBlock {
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string | null;
  readonly flow: string | null;
  readonly processor: string | null;
  readonly reason: string;
  /** ms since the epoch. */
  readonly time: number;
  /** `deny`: the request was refused; `report`: allowed, but enforce mode would have refused it. */
  readonly decision: 'deny' | 'report';
  /** Several calls to the server were in flight: this block may belong to another of them. */
  readonly ambiguous: boolean;
}

/** Which call an event happened during: the call id when exactly one call to its server was in flight. */
export interface Correlation {
  readonly toolCall: string | null;
  /** Ids of the calls the event was attached to (all overlapping calls when ambiguous). */
  readonly attachedTo: readonly string[];
  readonly ambiguous: boolean;
}

export interface InFlightCall {
  readonly callId: string;
  readonly sessionId: string;
  readonly server: string;
  /** ms since the epoch. */
  readonly start: number;
  /** When the call was answered; absent while in flight. */
  readonly end?: number;
}

export interface EgressCorrelation {
  /** A tool call to `server` starts now. */
  begin(call: InFlightCall): void;
  /** The call is over: its blocks, oldest first; only its window is kept (for records that finish later). */
  end(callId: string): readonly EgressBlock[];
  /** Attaches a deny/report event to the call(s) in flight on its server; says which call it was during. */
  correlate(event: EgressEvent): Correlation;
  /** Calls in flight now (for the dashboard and tests). */
  inFlight(): readonly InFlightCall[];
}

/** Blocks kept per call: a server looping on a refused host must not grow the gateway's memory. */
export const MAX_BLOCKS_PER_CALL = 20;

/**
 * Answered calls remembered per server, so a record finished after its call (a tunnel or a slow
 * response is recorded when it closes) still gets the call's id by its start time.
 */
export const ENDED_CALLS_KEPT = 64;

const NONE: Correlation = { toolCall: null, attachedTo: [], ambiguous: false };

/**
 * Calls that may have caused `event`: on its server, and in flight when the request started.
 * Pure, so the attribution rule is table-tested apart from the registry.
 */
export function candidateCalls(
  calls: readonly InFlightCall[],
  event: Pick<EgressEvent, 'server' | 'time'>,
): InFlightCall[] {
  return calls.filter(
    (call) =>
      call.server === event.server &&
      call.start <= event.time &&
      (call.end === undefined || event.time <= call.end),
  );
}

/** The block an event becomes; null for an allowed request. */
export function blockOf(event: EgressEvent, ambiguous: boolean): EgressBlock | null {
  if (event.decision === 'allow') return null;
  const { host, port, method, path, flow, processor, reason, time, decision } = event;
  return { host, port, method, path, flow, processor, reason, time, decision, ambiguous };
}

/**
 * One registry per gateway. Attribution rule: the calls to the event's server whose window holds the
 * request's start. Exactly one → its id is the record's toolCall, and a block goes to it if it is still
 * in flight. Several → a block goes to each one in flight marked `ambiguous`, and toolCall stays null,
 * because which call made the request cannot be known from outside the server: never the wrong call.
 */
export function createEgressCorrelation(): EgressCorrelation {
  const calls = new Map<string, { call: InFlightCall; blocks: EgressBlock[] }>();
  const byServer = new Map<string, Set<string>>();
  const ended = new Map<string, InFlightCall[]>();

  return {
    begin(call) {
      calls.set(call.callId, { call, blocks: [] });
      let ids = byServer.get(call.server);
      if (ids === undefined) {
        ids = new Set();
        byServer.set(call.server, ids);
      }
      ids.add(call.callId);
    },
    end(callId) {
      const entry = calls.get(callId);
      if (entry === undefined) return [];
      calls.delete(callId);
      const { server } = entry.call;
      const ids = byServer.get(server);
      ids?.delete(callId);
      if (ids?.size === 0) byServer.delete(server);
      const history = ended.get(server) ?? [];
      history.push({ ...entry.call, end: Date.now() });
      if (history.length > ENDED_CALLS_KEPT) history.shift();
      ended.set(server, history);
      return entry.blocks;
    },
    correlate(event) {
      const onServer: InFlightCall[] = [...(ended.get(event.server) ?? [])];
      for (const id of byServer.get(event.server) ?? []) {
        const entry = calls.get(id);
        if (entry) onServer.push(entry.call);
      }
      const candidates = candidateCalls(onServer, event);
      if (candidates.length === 0) return NONE;
      const ambiguous = candidates.length > 1;
      const block = blockOf(event, ambiguous);
      const attachedTo: string[] = [];
      // Only a call still in flight can carry a block back; an answered one is already on its way.
      for (const call of candidates) {
        const blocks = calls.get(call.callId)?.blocks;
        if (block === null || blocks === undefined) continue;
        attachedTo.push(call.callId);
        if (blocks.length < MAX_BLOCKS_PER_CALL) blocks.push(block);
      }
      const toolCall = ambiguous ? null : (candidates[0]?.callId ?? null);
      return { toolCall, attachedTo, ambiguous };
    },
    inFlight: () => [...calls.values()].map((entry) => entry.call),
  };
}
