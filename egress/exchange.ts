// One request or tunnel in flight: its record being filled in, and the decide-then-guard step shared by HTTP and CONNECT.
import { performance } from 'node:perf_hooks';
import { evaluate } from '../flows/evaluate.ts';
import type { CompiledFlowSet, EvaluateOptions, RequestFacts } from '../flows/types.ts';
import type { AddressPolicy } from './address-policy.ts';
import { addressGuardResponse, type DenyResponse, denyResponseFor } from './deny-response.ts';
import type { EgressRecord, EgressRecordSink } from './egress-record.ts';
import { providerOf } from './provider.ts';
import { pickAddress, type Resolve } from './resolve.ts';

/** What the proxy decides with; replaced as a whole on reload, so a request sees one consistent version. */
export interface ProxyRuntime {
  readonly flows: CompiledFlowSet;
  readonly evaluateOptions: EvaluateOptions;
  /** The server a TCP client without Proxy-Authorization is taken to be (egress.anonymous). */
  readonly anonymous: string | undefined;
  readonly resolve: Resolve;
  readonly policy: AddressPolicy;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A record being filled in as the exchange goes; emitted exactly once. */
export class Exchange {
  readonly record: Mutable<EgressRecord>;
  private readonly startedAt = performance.now();
  private emitted = false;
  private readonly sink: EgressRecordSink;

  constructor(sink: EgressRecordSink, server: string, method: string) {
    this.sink = sink;
    this.record = {
      time: Date.now(),
      server,
      method,
      scheme: 'http',
      host: '',
      port: 0,
      path: null,
      provider: '',
      decision: 'deny',
      flow: null,
      processor: null,
      reason: '',
      status: null,
      durationMs: 0,
      bytesUp: 0,
      bytesDown: 0,
      error: null,
      dialed: null,
      toolCall: null,
    };
  }

  /** What the wire said, once it parsed. */
  setFacts(facts: RequestFacts): void {
    this.record.method = facts.method ?? this.record.method;
    this.record.scheme = facts.scheme;
    this.record.host = facts.host;
    this.record.port = facts.port;
    this.record.path = facts.path ?? null;
    this.record.provider = providerOf(facts.host);
  }

  /** Refused before or instead of any origin: the record says why and what the client got. */
  refuse(reason: string, response: DenyResponse, bytesDown: number): void {
    this.record.decision = 'deny';
    this.record.reason = this.record.reason === '' ? reason : this.record.reason;
    this.record.status = response.status;
    this.record.bytesDown = bytesDown;
  }

  /** Sends the record to the sink; later calls do nothing, so every exit path may call it. */
  finish(): void {
    if (this.emitted) return;
    this.emitted = true;
    this.record.durationMs = Math.round((performance.now() - this.startedAt) * 1000) / 1000;
    try {
      this.sink({ ...this.record });
    } catch {
      // A sink that throws must not take the proxy down with it; telemetry is best effort here.
    }
  }
}

export type Verdict =
  | { readonly ok: true; readonly ip: string; readonly family: 4 | 6 }
  | { readonly ok: false; readonly response: DenyResponse };

/**
 * Flows first (pure), then the address guard (one resolution; the address that passed is the one to dial).
 * The guard enforces even in report mode: report mode is about flows, never about reaching private addresses.
 */
export async function decideAndGuard(
  runtime: ProxyRuntime,
  facts: RequestFacts,
  exchange: Exchange,
): Promise<Verdict> {
  const decision = evaluate(runtime.flows, facts, runtime.evaluateOptions);
  const record = exchange.record;
  record.decision = decision.decision;
  record.flow = decision.flow;
  record.processor = decision.processor;
  record.reason = decision.reason;
  if (decision.decision === 'deny') return { ok: false, response: denyResponseFor(decision) };

  const picked = await pickAddress(facts.host, facts.port, runtime.resolve, runtime.policy);
  if (!picked.ok) {
    record.decision = 'deny';
    record.flow = null;
    record.processor = null;
    record.reason = picked.reason;
    return { ok: false, response: addressGuardResponse(picked.addressClass, picked.reason) };
  }
  record.dialed =
    picked.family === 6 ? `[${picked.ip}]:${facts.port}` : `${picked.ip}:${facts.port}`;
  return { ok: true, ip: picked.ip, family: picked.family };
}
