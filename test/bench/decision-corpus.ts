// A deterministic corpus for the decision bench: N URL patterns and a mix of requests that hit or miss them.
import type { RequestFacts } from '../../flows/types.ts';

export type PatternKind = 'exact' | 'wildcard' | 'path';

export interface Pattern {
  readonly kind: PatternKind;
  readonly text: string;
}

/** Pattern i: exact hosts (4 in 10), `*.domain` wildcards (3 in 10), path rules with `{id}` (3 in 10). */
export function benchPattern(i: number): Pattern {
  switch (i % 10) {
    case 0:
    case 3:
    case 6:
    case 9:
      return { kind: 'exact', text: `api${i}.provider${i % 97}.com/*` };
    case 1:
    case 4:
    case 7:
      return { kind: 'wildcard', text: `*.svc${i}.example.net/*` };
    default:
      return { kind: 'path', text: `rest${i}.host${i % 89}.io/v${i % 3}/users/{id}/items` };
  }
}

export function benchPatterns(count: number): Pattern[] {
  return Array.from({ length: count }, (_, i) => benchPattern(i));
}

/** One short-form flow file (the article's shape) whose Filter lists every pattern. */
export function allowlistFlowYaml(patterns: readonly Pattern[]): string {
  const urls = patterns.map((p) => `          - "${p.text}"`);
  return [
    'AllowListed:',
    '  processor: Filter',
    '  parameters:',
    '    - key: urls',
    '      value:',
    ...urls,
    'Forbidden:',
    '  processor: GenerateResponse',
    '  parameters:',
    '    - key: status',
    '      value: 403',
    '    - key: body',
    '      value: "Forbidden Access"',
    '    - key: Content-Type',
    '      value: text/plain',
    '',
  ].join('\n');
}

/** Full-form flow i: its `filter.url` selects the pattern's requests, its Filter allows them. */
function singlePatternFlow(i: number, pattern: Pattern): string {
  const stream = (at: string) => `{ stream: { name: globalStream, at: ${at} } }`;
  return [
    `name: Allow${i}`,
    'filter:',
    `  url: "${pattern.text}"`,
    'processors:',
    '  Allowed:',
    '    processor: Filter',
    '    parameters:',
    '      - key: url',
    `        value: "${pattern.text}"`,
    '  Refuse:',
    '    processor: GenerateResponse',
    '    parameters:',
    '      - key: status',
    '        value: 403',
    'flow:',
    '  request:',
    `    - { from: ${stream('start')}, to: { processor: { name: Allowed } } }`,
    `    - { from: { processor: { name: Allowed, condition: hit } }, to: ${stream('end')} }`,
    '    - { from: { processor: { name: Allowed, condition: miss } }, to: { processor: { name: Refuse } } }',
    '  response:',
    `    - { from: ${stream('start')}, to: ${stream('end')} }`,
    `    - { from: { processor: { name: Refuse } }, to: ${stream('end')} }`,
    '',
  ].join('\n');
}

/** One full-form flow file per pattern: the engine must find the few flows a request concerns. */
export function perFlowSources(patterns: readonly Pattern[]): { file: string; text: string }[] {
  return patterns.map((pattern, i) => ({
    file: `flow-${String(i).padStart(4, '0')}.yaml`,
    text: singlePatternFlow(i, pattern),
  }));
}

export interface BenchRequest {
  readonly facts: RequestFacts;
  /** Whether some pattern matches this request (the engine must then allow). */
  readonly expectHit: boolean;
}

function facts(host: string, path: string): RequestFacts {
  return { server: 'bench', scheme: 'http', host, port: 80, method: 'GET', path, headers: {} };
}

/** A request that pattern i matches. */
function hitFor(i: number): BenchRequest {
  const pattern = benchPattern(i);
  if (pattern.kind === 'exact')
    return { facts: facts(`api${i}.provider${i % 97}.com`, `/q/${i}`), expectHit: true };
  if (pattern.kind === 'wildcard')
    return { facts: facts(`eu.a${i}.svc${i}.example.net`, '/'), expectHit: true };
  return {
    facts: facts(`rest${i}.host${i % 89}.io`, `/v${i % 3}/users/${i * 7}/items`),
    expectHit: true,
  };
}

/** A request near pattern i that no pattern matches: apex of a wildcard, wrong path, unknown host. */
function missFor(i: number): BenchRequest {
  const pattern = benchPattern(i);
  if (pattern.kind === 'wildcard')
    return { facts: facts(`svc${i}.example.net`, '/'), expectHit: false };
  if (pattern.kind === 'path') {
    return {
      facts: facts(`rest${i}.host${i % 89}.io`, `/v${i % 3}/users/${i}/items/extra`),
      expectHit: false,
    };
  }
  return { facts: facts(`api${i}.attacker${i % 13}.org`, '/steal'), expectHit: false };
}

/** `count` requests, alternating hit and miss, spread over the whole pattern list (fixed order, no randomness). */
export function benchRequests(patternCount: number, count: number): BenchRequest[] {
  const stride = 7919; // a prime, so consecutive requests land far apart in the list
  return Array.from({ length: count }, (_, n) => {
    const i = (n * stride) % patternCount;
    return n % 2 === 0 ? hitFor(i) : missFor(i);
  });
}
