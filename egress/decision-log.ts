// The one decision line per request or tunnel: every EgressRecord field under a fixed name, never a header.
import type { Logger } from 'pino';
import type { EgressRecord } from './egress-record.ts';

/** Field names of the decision line; dashboards and log queries rely on them, so they only ever grow. */
export const DECISION_LOG_FIELDS = {
  start: 'start',
  server: 'server',
  method: 'method',
  scheme: 'scheme',
  host: 'host',
  port: 'port',
  path: 'path',
  provider: 'provider',
  decision: 'decision',
  flow: 'flow',
  processor: 'processor',
  reason: 'reason',
  status: 'status',
  durationMs: 'duration_ms',
  bytesUp: 'bytes_up',
  bytesDown: 'bytes_down',
  error: 'error',
  dialed: 'dialed',
  toolCall: 'tool_call',
  newProvider: 'new_provider',
} as const;

export const DECISION_LOG_MESSAGE = 'egress decision';

export interface DecisionNotes {
  /** The store saw this provider for this server for the first time. */
  readonly newProvider?: boolean;
}

/** A sink writing the decision line; the second argument carries what the store learnt about the record. */
export type DecisionLog = (record: EgressRecord, notes?: DecisionNotes) => void;

/**
 * Only the record's own fields are written, picked one by one (never spread), so nothing the proxy may
 * add to a record later (a header, a token) can reach the log by accident.
 */
export function decisionLine(
  record: EgressRecord,
  notes: DecisionNotes = {},
): Record<string, unknown> {
  const f = DECISION_LOG_FIELDS;
  return {
    [f.start]: record.time,
    [f.server]: record.server,
    [f.method]: record.method,
    [f.scheme]: record.scheme,
    [f.host]: record.host,
    [f.port]: record.port,
    [f.path]: record.path,
    [f.provider]: record.provider,
    [f.decision]: record.decision,
    [f.flow]: record.flow,
    [f.processor]: record.processor,
    [f.reason]: record.reason,
    [f.status]: record.status,
    [f.durationMs]: record.durationMs,
    [f.bytesUp]: record.bytesUp,
    [f.bytesDown]: record.bytesDown,
    [f.error]: record.error,
    [f.dialed]: record.dialed,
    [f.toolCall]: record.toolCall,
    [f.newProvider]: notes.newProvider ?? false,
  };
}

/** Denies and errors at `warn` so they stand out; everything else at `info`. */
export function createDecisionLog(logger: Logger): DecisionLog {
  return (record, notes) => {
    const line = decisionLine(record, notes);
    if (record.decision === 'deny' || record.error !== null)
      logger.warn(line, DECISION_LOG_MESSAGE);
    else logger.info(line, DECISION_LOG_MESSAGE);
  };
}
