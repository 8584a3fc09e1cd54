// What the endpoint calls once per audited request: raw arguments in, redacted and capped, appended before answering.
import { AuditError } from './audit-error.ts';
import type { AuditEntry, AuditRow } from './audit-record.ts';
import type { AuditStore } from './audit-store.ts';
import { DEFAULT_MAX_ARGUMENT_BYTES, redactArguments } from './redact.ts';
import { redactSecretsIn } from './secret-values.ts';

/** An audit entry before redaction: the arguments as the agent sent them. */
export interface AuditCall extends Omit<AuditEntry, 'arguments'> {
  readonly args: unknown;
}

export interface AuditRecorderOptions {
  /** Cap on the stored arguments' JSON, in UTF-8 bytes (default 8,192). */
  readonly maxArgumentBytes?: number;
  /** Cap on the stored detail (an upstream's error message), in characters (default 2,048). */
  readonly maxDetailLength?: number;
}

export interface AuditRecorder {
  /**
   * Appends the call and returns its row, or the AuditError when it could not be written. Call it before
   * the answer is sent: an answer is an acknowledgement, and an acknowledged call must be in the log (when
   * this returns an error, answer with an error rather than the result).
   */
  record(call: AuditCall): AuditRow | AuditError;
}

export function createAuditRecorder(
  store: Pick<AuditStore, 'append'>,
  options: AuditRecorderOptions = {},
): AuditRecorder {
  const maxBytes = options.maxArgumentBytes ?? DEFAULT_MAX_ARGUMENT_BYTES;
  const maxDetail = options.maxDetailLength ?? 2048;
  return {
    record({ args, ...call }) {
      try {
        return store.append({
          ...call,
          // A resource URI can carry a token in its query; an upstream's error message can quote one.
          target: redactSecretsIn(call.target),
          detail: call.detail === null ? null : capText(redactSecretsIn(call.detail), maxDetail),
          arguments: redactArguments(args, { maxBytes }),
        });
      } catch (error) {
        if (error instanceof AuditError) return error;
        return new AuditError('AUDIT_WRITE_FAILED', String(error), { cause: error });
      }
    },
  };
}

function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max).toWellFormed()}…[truncated ${text.length - max} characters]`;
}
