// The decision bench's corpus: the promised mix of pattern kinds, and requests whose expected outcome is right.
import { describe, expect, it } from 'vitest';
import { allowlistFlowYaml, benchPatterns, benchRequests } from './decision-corpus.ts';

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
