// The compiled form of flows: what evaluate() walks. Built once at load; never parsed per request.
import type { Criteria } from './criteria.ts';
import { buildFlowIndex, type FlowIndex } from './flow-index.ts';
import type { CompiledProcessor } from './processors/index.ts';
import type { RequestFacts } from './types.ts';

export type Target =
  | { readonly kind: 'end' }
  | { readonly kind: 'processor'; readonly name: string };

export interface CompiledNode {
  readonly processor: CompiledProcessor;
  /** Condition (`''` for a processor without outputs) → where the request goes next. */
  readonly next: ReadonlyMap<string, Target>;
}

export interface CompiledFlow {
  readonly name: string;
  readonly file: string;
  readonly mode: 'enforce' | 'report';
  /** Flow-level filter; undefined: the flow applies to every request. */
  readonly filter: Criteria | undefined;
  /** Where the request stream starts. */
  readonly start: Target;
  readonly nodes: ReadonlyMap<string, CompiledNode>;
  readonly patternCount: number;
}

/** Opaque to callers apart from `names` and `patternCount`; `flows` is for evaluate(). */
export class CompiledFlowSet {
  readonly names: readonly string[];
  readonly patternCount: number;
  /** @internal In evaluation order: by file path, then order in the file. */
  readonly flows: readonly CompiledFlow[];

  readonly #index: FlowIndex;

  constructor(flows: readonly CompiledFlow[]) {
    this.flows = Object.freeze([...flows]);
    this.names = Object.freeze(flows.map((f) => f.name));
    this.patternCount = flows.reduce((sum, f) => sum + f.patternCount, 0);
    this.#index = buildFlowIndex(this.flows);
  }

  /** @internal The flows that could apply to `facts`, in evaluation order. */
  candidates(facts: RequestFacts): readonly CompiledFlow[] {
    return this.#index.candidates(facts);
  }
}
