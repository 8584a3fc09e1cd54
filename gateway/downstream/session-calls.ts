// The session's forwarded operations (tools/call, prompts/get, resources/read): look up, refuse or forward, and record one event each.
import { randomUUID } from 'node:crypto';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  type LoggingLevel,
  ResultSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { AuditError } from '../audit/audit-error.ts';
import type { AuditKind, AuditOutcome } from '../audit/audit-record.ts';
import type { EgressBlock } from '../egress-correlation.ts';
import type { Target } from './session-catalog.ts';
import type { SessionEnv } from './session-env.ts';
import { recordCall, type SessionState } from './session-state.ts';
import type { SessionUpstream, UpstreamCallContext } from './session-upstream.ts';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A JSON-RPC error whose message reaches the agent exactly as written (McpError would prefix it). */
export class JsonRpcFailure extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'JsonRpcFailure';
    this.code = code;
  }
}

const LOG_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** Whether a message at `level` passes the session's `logging/setLevel` threshold (none set: everything). */
export function logPasses(level: LoggingLevel, threshold: LoggingLevel | null): boolean {
  return threshold === null || LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

export interface CallSite {
  readonly state: SessionState;
  readonly env: SessionEnv;
  /** The session's current `logging/setLevel` threshold. */
  readonly logLevel: () => LoggingLevel | null;
}

/** A call context plus `settled()`: resolves once every notification it relayed was handed to the transport. */
export interface RoutedContext {
  readonly ctx: UpstreamCallContext;
  settled(): Promise<void>;
}

/**
 * Maps the upstream's callbacks onto this session's request: downstream progress token,
 * related-request stream, its log level. Notifications go out in arrival order on one chain, and
 * the result waits for that chain, so the last progress never trails the response it preceded.
 */
export function callContext(site: CallSite, extra: Extra, callId: string): RoutedContext {
  const progressToken = extra._meta?.progressToken;
  let chain: Promise<void> = Promise.resolve();
  const relay = (notification: Parameters<Extra['sendNotification']>[0]) => {
    chain = chain.then(() => extra.sendNotification(notification)).catch(() => undefined);
  };
  const ctx: UpstreamCallContext = {
    signal: extra.signal,
    sessionId: site.state.id,
    callId,
    onProgress(progress) {
      if (progressToken === undefined) return;
      relay({ method: 'notifications/progress', params: { ...progress, progressToken } });
    },
    async onServerRequest(request) {
      // Sent as related to the call, so Streamable HTTP carries it on the call's own stream.
      return extra.sendRequest(request as ServerRequest, ResultSchema, { signal: extra.signal });
    },
    onLog(params) {
      if (logPasses(params.level, site.logLevel()))
        relay({ method: 'notifications/message', params });
    },
  };
  return { ctx, settled: () => chain };
}

export interface Forwarded<T> {
  readonly kind: AuditKind;
  /** The name or URI the agent used. */
  readonly exposedName: string;
  readonly target: Target;
  readonly rawArguments: unknown;
  /** What "not available" reads like for this kind (the message the agent gets when refused). */
  readonly refusal: string;
  readonly invoke: (
    upstream: SessionUpstream,
    target: Extract<Target, { ok: true }>,
    ctx: UpstreamCallContext,
  ) => Promise<T>;
  /** tools/call results with isError are recorded as tool-error. */
  readonly outcomeOf?: (result: T) => AuditOutcome;
  /** Set for tools/call: the call is tracked while in flight, and egress blocks during it are merged into the result. */
  readonly withEgress?: (result: T, blocks: readonly EgressBlock[], server: string) => T;
}

/** What the agent reads when the call's audit row could not be written (the call itself may have run). */
export function auditUnavailable(server: string): string {
  return `audit log unavailable: the call to server '${server}' was made, but its result was withheld because it could not be recorded`;
}

/**
 * One forwarded operation: refuse before the upstream, or call it; either way exactly one record.
 * Fail closed: `env.record` throws an AuditError when the audit row could not be written, and then a call that reached
 * the upstream is answered with an error, never its result (an answer acknowledges a call, and an
 * acknowledged call must be in the log). The row is written after the upstream answers, so the upstream
 * is called even while the log is failing: the error says the call was made.
 */
export async function forward<T>(site: CallSite, extra: Extra, op: Forwarded<T>): Promise<T> {
  const { state, env } = site;
  const time = Date.now();
  const callId = randomUUID();
  recordCall(state, op.exposedName, time);
  /** Whether the record was written. */
  const finish = (
    outcome: AuditOutcome,
    server: string | null,
    target: string,
    detail: string | null,
  ): boolean => {
    try {
      env.record({
        time,
        consumer: state.consumer,
        clientName: state.clientName,
        sessionId: state.id,
        server,
        kind: op.kind,
        target,
        exposedName: op.exposedName,
        outcome,
        detail,
        durationMs: Date.now() - time,
        rawArguments: op.rawArguments,
        callId,
      });
      return true;
    } catch (error) {
      // The service has logged why; what the agent gets depends on where the call got to.
      if (error instanceof AuditError) return false;
      throw error;
    }
  };
  const { target } = op;
  if (!target.ok) {
    // Nothing reached an upstream and nothing is withheld: the refusal stands either way.
    finish('denied', target.server ?? null, target.upstreamName ?? op.exposedName, target.reason);
    throw new JsonRpcFailure(ErrorCode.InvalidParams, op.refusal);
  }
  const upstream = env.upstream(target.server);
  if (upstream === undefined) {
    const detail = `upstream server '${target.server}' is not running`;
    finish('error', target.server, target.upstreamName, detail);
    throw new JsonRpcFailure(ErrorCode.InternalError, detail);
  }
  const withheld = () =>
    new JsonRpcFailure(ErrorCode.InternalError, auditUnavailable(target.server));
  // Tracked from before the upstream hears of the call, so a request it makes at once is attributed.
  const egress = op.withEgress === undefined ? undefined : env.egress;
  egress?.begin({ callId, sessionId: state.id, server: target.server, start: time });
  let result: T;
  try {
    const routed = callContext(site, extra, callId);
    result = await op.invoke(upstream, target, routed.ctx);
    await routed.settled();
  } catch (error) {
    egress?.end(callId);
    const message = error instanceof Error ? error.message : String(error);
    const cancelled = extra.signal.aborted;
    // The upstream's error text is its answer: withheld like a result when it cannot be recorded.
    if (!finish(cancelled ? 'cancelled' : 'error', target.server, target.upstreamName, message))
      throw withheld();
    // An upstream JSON-RPC error keeps its code; anything else is an internal error naming the server.
    const code =
      typeof (error as { code?: unknown }).code === 'number'
        ? (error as { code: number }).code
        : ErrorCode.InternalError;
    const named = message.includes(target.server)
      ? message
      : `upstream server '${target.server}': ${message}`;
    throw new JsonRpcFailure(code, named);
  }
  const blocks = egress?.end(callId) ?? [];
  // Recorded before the response leaves: the audit append is synchronous, so an answered call is on disk.
  if (!finish(op.outcomeOf?.(result) ?? 'ok', target.server, target.upstreamName, null))
    throw withheld();
  // After the audit row: the row records what the upstream answered; the feedback is the gateway's note on it.
  return op.withEgress === undefined ? result : op.withEgress(result, blocks, target.server);
}
