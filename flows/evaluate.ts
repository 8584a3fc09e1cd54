// The flow engine: request facts and compiled flows in, one decision out. Pure; no I/O, no parsing.
import type { CompiledFlow, CompiledFlowSet } from './compiled.ts';
import { criteriaOutcomeKind, matchCriteria } from './criteria.ts';
import type { Decision, EvaluateOptions, GeneratedResponse, RequestFacts } from './types.ts';

/** Sent when a flow denies without a GenerateResponse of its own, and for a default deny. */
export const DEFAULT_DENY_RESPONSE: GeneratedResponse = Object.freeze({
  status: 403,
  body: 'Forbidden',
  headers: Object.freeze({ 'Content-Type': 'text/plain' }),
});

export const NO_FLOW_REASON = 'no flow applies to this request';

type Outcome =
  | { readonly kind: 'not-applicable' }
  | { readonly kind: 'allow'; readonly processor: string | null; readonly reason: string }
  | {
      readonly kind: 'deny';
      readonly processor: string | null;
      readonly reason: string;
      readonly response: GeneratedResponse;
    };

/**
 * Every flow whose filter matches must allow; the first deny (in file order) decides. A deny in a
 * flow with `mode: report` is remembered but does not stop a later enforcing flow from denying.
 */
export function evaluate(
  flows: CompiledFlowSet,
  facts: RequestFacts,
  options: EvaluateOptions,
): Decision {
  let allowed: Decision | undefined;
  let wouldDeny: Decision | undefined;
  for (const flow of flows.candidates(facts)) {
    const outcome = runFlow(flow, facts);
    if (outcome.kind === 'not-applicable') continue;
    if (outcome.kind === 'allow') {
      allowed ??= {
        decision: 'allow',
        flow: flow.name,
        processor: outcome.processor,
        reason: outcome.reason,
      };
      continue;
    }
    const deny: Decision = {
      decision: 'deny',
      flow: flow.name,
      processor: outcome.processor,
      reason: outcome.reason,
      response: outcome.response,
    };
    if (options.mode === 'report') return asReport(deny);
    if (flow.mode === 'enforce') return deny;
    wouldDeny ??= asReport(deny);
  }
  if (wouldDeny) return wouldDeny;
  if (allowed) return allowed;
  if (options.default === 'allow') {
    return { decision: 'allow', flow: null, processor: null, reason: NO_FLOW_REASON };
  }
  const deny: Decision = {
    decision: 'deny',
    flow: null,
    processor: null,
    reason: NO_FLOW_REASON,
    response: DEFAULT_DENY_RESPONSE,
  };
  return options.mode === 'report' ? asReport(deny) : deny;
}

function asReport(deny: Decision): Decision {
  return { ...deny, decision: 'report', reason: `would deny: ${deny.reason}` };
}

/** Walks the request stream from its start until it ends (allow) or a processor answers (deny). */
function runFlow(flow: CompiledFlow, facts: RequestFacts): Outcome {
  if (flow.filter) {
    // Checked for every candidate flow: decide without building reason strings first.
    const applies = criteriaOutcomeKind(flow.filter, facts);
    if (applies === 'miss') return { kind: 'not-applicable' };
    if (applies === 'undecidable') {
      const { reason } = matchCriteria(flow.filter, facts);
      return { kind: 'deny', processor: null, reason, response: DEFAULT_DENY_RESPONSE };
    }
  }
  let target = flow.start;
  let processor: string | null = null;
  let reason = `flow ${flow.name} lets every request through`;
  // Cycles are refused at compile time; the bound only guards against a bug turning into a hang.
  for (let steps = 0; steps <= flow.nodes.size; steps++) {
    if (target.kind === 'end') return { kind: 'allow', processor, reason };
    const node = flow.nodes.get(target.name);
    if (!node) break;
    const step = node.processor.step(facts);
    if (step.kind === 'respond') {
      return { kind: 'deny', processor: target.name, reason, response: step.response };
    }
    if (step.kind === 'undecidable') return failClosed(flow, target.name, step.reason);
    processor = target.name;
    reason = step.reason;
    const next = node.next.get(step.condition);
    if (!next) {
      // The short form without a GenerateResponse leaves `miss` unconnected: deny with the default.
      return { kind: 'deny', processor, reason, response: DEFAULT_DENY_RESPONSE };
    }
    target = next;
  }
  return {
    kind: 'deny',
    processor,
    reason: `flow ${flow.name} did not finish`,
    response: DEFAULT_DENY_RESPONSE,
  };
}

/** Undecidable: deny, answering with the GenerateResponse the processor's `miss` (or other output) leads to. */
function failClosed(flow: CompiledFlow, name: string, reason: string): Outcome {
  const outs = flow.nodes.get(name)?.next;
  for (const target of [outs?.get('miss'), ...(outs?.values() ?? [])]) {
    if (target?.kind !== 'processor') continue;
    const response = flow.nodes.get(target.name)?.processor.response;
    if (response) return { kind: 'deny', processor: target.name, reason, response };
  }
  return { kind: 'deny', processor: name, reason, response: DEFAULT_DENY_RESPONSE };
}
