// Wires the telemetry store, the metrics and the decision log into the one sink the proxy emits records to.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createDecisionLog } from './decision-log.ts';
import {
  createEgressMetrics,
  type EgressMetrics,
  type EgressMetricsOptions,
} from './egress-metrics.ts';
import type { EgressRecordSink } from './egress-record.ts';
import {
  openTelemetryStore,
  type TelemetryStore,
  type TelemetryStoreOptions,
} from './telemetry-store.ts';

export interface TelemetryOptions {
  /** The data directory: the store is `<dataDir>/telemetry.db`. */
  readonly dataDir: string;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly store?: Omit<TelemetryStoreOptions, 'readonly' | 'onError'>;
  readonly metrics?: EgressMetricsOptions;
}

export interface Telemetry {
  /** Give this to the proxy: it stores, counts and logs each record, and never throws. */
  readonly sink: EgressRecordSink;
  /** `tunnelOpened()`/`tunnelClosed()` around each tunnel, `flowsReloaded(result)` after each reload. */
  readonly metrics: EgressMetrics;
  readonly store: TelemetryStore;
  /** Flushes and closes the store. */
  close(): void;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const { logger } = options;
  const store = openTelemetryStore(
    { dataDir: options.dataDir },
    {
      ...options.store,
      onError: (error) =>
        logger.error(
          { code: error.code, pending: store.pending, dropped: store.dropped },
          error.message,
        ),
    },
  );
  const metrics = createEgressMetrics(options.registry, options.metrics);
  const log = createDecisionLog(logger);

  const sink: EgressRecordSink = (record) => {
    let newProvider = false;
    try {
      newProvider = store.append(record).newProvider;
    } catch (error) {
      logger.error({ err: error }, 'telemetry store refused a record');
    }
    try {
      metrics.observe(record);
    } catch (error) {
      logger.error({ err: error }, 'egress metrics refused a record');
    }
    log(record, { newProvider });
  };

  return { sink, metrics, store, close: () => store.close() };
}
