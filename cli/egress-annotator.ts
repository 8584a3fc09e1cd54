// Wires the egress's records to the gateway's tool calls in flight (block feedback, `toolCall` in telemetry): used by `airlock up`.
import type { EgressRecord } from '../egress/egress-record.ts';
import type { Correlation, EgressEvent } from '../gateway/egress-correlation.ts';

/** The part of the gateway the annotator needs. */
export interface CallCorrelator {
  correlateEgress(event: EgressEvent): Correlation;
}

export interface EgressAnnotator {
  /** For `startEgress({annotate})`: called before a record is stored. */
  readonly annotate: (record: EgressRecord) => EgressRecord;
  /** The egress starts before the gateway: records before this are stored as they are. */
  connect(gateway: CallCorrelator): void;
}

export function createEgressAnnotator(): EgressAnnotator {
  let gateway: CallCorrelator | undefined;
  return {
    annotate(record) {
      if (gateway === undefined) return record;
      const { toolCall } = gateway.correlateEgress(record);
      return toolCall === null ? record : { ...record, toolCall };
    },
    connect(next) {
      gateway = next;
    },
  };
}
