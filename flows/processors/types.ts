// The contract every processor type implements: validate its parameters once, then step purely per request.
import type { Diagnostics } from '../diagnostics.ts';
import type { YamlPath } from '../errors.ts';
import type { GeneratedResponse, RequestFacts } from '../types.ts';

export interface ProcessorParameter {
  readonly key: string;
  readonly value: unknown;
  /** Path of the parameter's `value` in the document, for errors. */
  readonly path: YamlPath;
}

export interface ProcessorContext {
  /** The processor's key in `processors`. */
  readonly name: string;
  /** Path of the processor's mapping in the document. */
  readonly path: YamlPath;
  readonly diag: Diagnostics;
}

export type StepResult =
  /** Continue along the connection leaving through `condition`. */
  | { readonly kind: 'next'; readonly condition: string; readonly reason: string }
  /** Answer the request instead of forwarding it. */
  | { readonly kind: 'respond'; readonly response: GeneratedResponse }
  /** Needs what a tunnel without interception hides: the flow fails closed. */
  | { readonly kind: 'undecidable'; readonly reason: string };

export interface CompiledProcessor {
  readonly name: string;
  readonly type: string;
  /** The number of URL patterns it holds (for `CompiledFlowSet.patternCount`). */
  readonly patternCount: number;
  /** The fixed answer of a terminal processor (GenerateResponse), used when a flow fails closed. */
  readonly response?: GeneratedResponse;
  step(facts: RequestFacts): StepResult;
}

export interface ProcessorDefinition {
  readonly type: string;
  /** Conditions a connection may leave through; empty for a terminal processor. */
  readonly outputs: readonly string[];
  /** Reports parameter errors to `ctx.diag`; always returns a processor so graph checks can go on. */
  compile(params: readonly ProcessorParameter[], ctx: ProcessorContext): CompiledProcessor;
}
