// The decision bench's corpus: the promised mix of pattern kinds, and requests whose expected outcome is right.
import { describe, expect, it } from 'vitest';
import { compileFlowSources } from '../../flows/compile.ts';
import { evaluate } from '../../flows/evaluate.ts';
import {
  allowlistFlowYaml,
  benchPatterns,
  benchRequests,
  perFlowSources,
} from './decision-corpus.ts';

describe('benchPatterns', () => {
  const patterns = benchPatterns(1000);

  it('mixes exact hosts, wildcards and path rules, all distinct', () => {
    const kinds = { exact: 0, wildcard: 0, path: 0 };
    for (const p of patterns) kinds[p.kind] += 1;
    expect(kinds).toEqual({ exact: 400, wildcard: 300, path: 300 });
    expect(new Set(patterns.map((p) => p.text)).size).toBe(1000);
  });

  it('puts every pattern in one allowlist Filter of a short-form flow', () => {
    const yaml = allowlistFlowYaml(patterns);
    expect(yaml.match(/^ {10}- "/gm)).toHaveLength(1000);
    expect(yaml).toMatch(/^AllowListed:\n {2}processor: Filter$/m);
  });
});

describe('benchRequests', () => {
  it('alternates hits and misses deterministically', () => {
    const a = benchRequests(1000, 100);
    expect(a.map((r) => r.expectHit)).toEqual(Array.from({ length: 100 }, (_, n) => n % 2 === 0));
    expect(benchRequests(1000, 100)).toEqual(a);
  });

  it('misses a wildcard with its apex and a path rule with an extra segment', () => {
    const requests = benchRequests(1000, 4096);
    const apex = requests.find((r) => !r.expectHit && /^svc\d+\.example\.net$/.test(r.facts.host));
    const extra = requests.find((r) => !r.expectHit && r.facts.path?.endsWith('/items/extra'));
    expect(apex).toBeDefined();
    expect(extra).toBeDefined();
  });
});

describe('the corpus under the real flow engine', () => {
  const patterns = benchPatterns(50);
  const layouts = {
    'one allowlist': [{ file: 'allowlist.yaml', text: allowlistFlowYaml(patterns) }],
    'one flow per pattern': perFlowSources(patterns),
  };

  for (const [layout, sources] of Object.entries(layouts)) {
    it(`compiles as ${layout} and allows exactly the requests expected to hit`, () => {
      const compiled = compileFlowSources(sources);
      if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('\n'));
      const options = { mode: 'enforce', default: 'deny' } as const;
      for (const request of benchRequests(50, 200)) {
        const decision = evaluate(compiled.flows, request.facts, options);
        expect({
          host: request.facts.host,
          path: request.facts.path,
          decision: decision.decision,
        }).toEqual({
          host: request.facts.host,
          path: request.facts.path,
          decision: request.expectHit ? 'allow' : 'deny',
        });
      }
    });
  }
});
