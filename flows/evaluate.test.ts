// The engine's decisions, table by table: decision AND reason (and the response when it denies).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFlowSources } from './compile.ts';
import type { CompiledFlowSet } from './compiled.ts';
import { DEFAULT_DENY_RESPONSE, evaluate } from './evaluate.ts';
import type { EvaluateOptions, RequestFacts } from './types.ts';

const ENFORCE: EvaluateOptions = { mode: 'enforce', default: 'deny' };
const FIXTURES = join(import.meta.dirname, '../test/fixtures/flows/valid');

function flowsOf(...texts: string[]): CompiledFlowSet {
  const result = compileFlowSources(texts.map((text, i) => ({ file: `flow-${i}.yaml`, text })));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.flows;
}

function fixtureFlows(name: string): CompiledFlowSet {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const result = compileFlowSources([{ file: name, text }]);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.flows;
}

/** An absolute-form request (http, or https with interception): everything visible. */
function request(
  url: string,
  more: { method?: string; headers?: Record<string, string>; server?: string } = {},
): RequestFacts {
  const u = new URL(url);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  return {
    server: more.server ?? 'slack',
    scheme,
    host: u.hostname,
    port: u.port === '' ? (scheme === 'https' ? 443 : 80) : Number(u.port),
    method: more.method ?? 'GET',
    path: u.pathname,
    headers: more.headers ?? {},
  };
}

/** A CONNECT tunnel without interception: host and port only. */
function tunnel(host: string, port = 443, server = 'slack'): RequestFacts {
  return {
    server,
    scheme: 'https',
    host,
    port,
    method: undefined,
    path: undefined,
    headers: undefined,
  };
}

const FORBIDDEN_ACCESS = {
  status: 403,
  body: 'Forbidden Access',
  headers: { 'Content-Type': 'text/plain' },
};

const shortForm = (urls: string[], extra = '') =>
  [
    'AllowFilter:',
    '  processor: Filter',
    '  parameters:',
    '    - key: urls',
    `      value: [${urls.map((u) => JSON.stringify(u)).join(', ')}]`,
    extra,
    'Forbidden:',
    '  processor: GenerateResponse',
    '  parameters:',
    '    - {key: status, value: 403}',
    '    - {key: body, value: "Forbidden Access"}',
    '    - {key: Content-Type, value: text/plain}',
  ].join('\n');

describe('the slack allowlist from the issue', () => {
  const flows = fixtureFlows('slack-allowlist.yaml');

  it.each([
    [
      'allows chat.postMessage with interception',
      request('https://api.slack.com/api/chat.postMessage', { method: 'POST' }),
    ],
    ['allows chat.postMessage through a tunnel', tunnel('api.slack.com')],
  ])('%s', (_what, facts) => {
    expect(evaluate(flows, facts, ENFORCE)).toEqual({
      decision: 'allow',
      flow: 'slack-allowlist',
      processor: 'AllowFilter',
      reason: 'api.slack.com/* matched in AllowFilter',
    });
  });

  it('denies api.badactor.com with 403 "Forbidden Access" text/plain', () => {
    expect(
      evaluate(flows, request('https://api.badactor.com/steal_data', { method: 'POST' }), ENFORCE),
    ).toEqual({
      decision: 'deny',
      flow: 'slack-allowlist',
      processor: 'GenerateResponseForbidden',
      reason: 'no url pattern of AllowFilter matches api.badactor.com:443/steal_data',
      response: FORBIDDEN_ACCESS,
    });
  });

  it('denies a tunnel to api.badactor.com the same way', () => {
    expect(evaluate(flows, tunnel('api.badactor.com'), ENFORCE)).toMatchObject({
      decision: 'deny',
      processor: 'GenerateResponseForbidden',
      reason: 'no url pattern of AllowFilter matches api.badactor.com:443',
      response: FORBIDDEN_ACCESS,
    });
  });

  it.each([
    [
      'a subdomain of a wildcard',
      tunnel('maps.googleapis.com'),
      'allow',
      '*.googleapis.com/* matched in AllowFilter',
    ],
    [
      'the wildcard base itself',
      tunnel('googleapis.com'),
      'deny',
      'no url pattern of AllowFilter matches googleapis.com:443',
    ],
    [
      'an unwritten port',
      tunnel('api.slack.com', 8443),
      'deny',
      'no url pattern of AllowFilter matches api.slack.com:8443',
    ],
    [
      'plain http on the default port',
      request('http://api.slack.com/x'),
      'allow',
      'api.slack.com/* matched in AllowFilter',
    ],
  ] as const)('decides %s: %s', (_what, facts, decision, reason) => {
    expect(evaluate(flows, facts, ENFORCE)).toMatchObject({ decision, reason });
  });
});

describe('defaults, report mode and several flows', () => {
  const githubOnly = fixtureFlows('processors-keyed.yaml');

  it('falls back to the default deny when no flow applies', () => {
    expect(
      evaluate(githubOnly, request('https://api.github.com/x', { server: 'slack' }), ENFORCE),
    ).toEqual({
      decision: 'deny',
      flow: null,
      processor: null,
      reason: 'no flow applies to this request',
      response: DEFAULT_DENY_RESPONSE,
    });
  });

  it('falls back to a default allow when configured', () => {
    expect(evaluate(githubOnly, tunnel('x.com'), { mode: 'enforce', default: 'allow' })).toEqual({
      decision: 'allow',
      flow: null,
      processor: null,
      reason: 'no flow applies to this request',
    });
  });

  it('reports a default deny in global report mode', () => {
    expect(
      evaluate(githubOnly, tunnel('x.com'), { mode: 'report', default: 'deny' }),
    ).toMatchObject({
      decision: 'report',
      flow: null,
      reason: 'would deny: no flow applies to this request',
      response: DEFAULT_DENY_RESPONSE,
    });
  });

  it('turns a deny into report in global report mode, keeping the would-be response', () => {
    const flows = fixtureFlows('slack-allowlist.yaml');
    expect(evaluate(flows, tunnel('evil.io'), { mode: 'report', default: 'deny' })).toEqual({
      decision: 'report',
      flow: 'slack-allowlist',
      processor: 'GenerateResponseForbidden',
      reason: 'would deny: no url pattern of AllowFilter matches evil.io:443',
      response: FORBIDDEN_ACCESS,
    });
  });

  it('reports a deny of a flow in report mode, with the default 403 when it has no GenerateResponse', () => {
    expect(evaluate(githubOnly, tunnel('evil.io', 443, 'github'), ENFORCE)).toEqual({
      decision: 'report',
      flow: 'GithubOnly',
      processor: 'AllowGithub',
      reason: 'would deny: no url pattern of AllowGithub matches evil.io:443',
      response: DEFAULT_DENY_RESPONSE,
    });
  });

  it('allows through a flow in report mode when it would allow', () => {
    expect(
      evaluate(githubOnly, tunnel('uploads.github.com', 8443, 'github'), ENFORCE),
    ).toMatchObject({
      decision: 'allow',
      flow: 'GithubOnly',
      reason: 'https://uploads.github.com:8443/* matched in AllowGithub',
    });
  });

  it('lets an enforcing flow deny after a report-mode flow would have', () => {
    const report =
      'name: Watch\nmode: report\nprocessors:\n  F:\n    processor: Filter\n    parameters:\n      - {key: urls, value: [a.com/*]}\n';
    const flows = flowsOf(report, shortForm(['b.com/*']));
    expect(evaluate(flows, tunnel('c.com'), ENFORCE)).toMatchObject({
      decision: 'deny',
      flow: 'flow-1',
      reason: 'no url pattern of AllowFilter matches c.com:443',
    });
    expect(evaluate(flows, tunnel('b.com'), ENFORCE)).toMatchObject({
      decision: 'report',
      flow: 'Watch',
      reason: 'would deny: no url pattern of F matches b.com:443',
    });
  });

  it('denies when any applicable flow denies, even if an earlier one allows', () => {
    const flows = flowsOf(shortForm(['a.com/*', 'b.com/*']), shortForm(['b.com/*']));
    expect(evaluate(flows, tunnel('a.com'), ENFORCE)).toMatchObject({
      decision: 'deny',
      flow: 'flow-1',
    });
    expect(evaluate(flows, tunnel('b.com'), ENFORCE)).toMatchObject({
      decision: 'allow',
      flow: 'flow-0',
    });
  });
});

describe('Filter criteria', () => {
  it.each([
    [
      'a listed server',
      'slack',
      'allow',
      'server slack and api.slack.com/* matched in AllowFilter',
    ],
    ['another server', 'github', 'deny', 'server github is not among the servers of AllowFilter'],
  ])('servers: %s', (_what, server, decision, reason) => {
    const flows = flowsOf(shortForm(['api.slack.com/*'], '    - {key: servers, value: [slack]}'));
    expect(evaluate(flows, tunnel('api.slack.com', 443, server), ENFORCE)).toMatchObject({
      decision,
      reason,
    });
  });

  it.each([
    [
      'GET',
      'allow',
      'http://api.example.com/v1/reports/{id} and method GET and header x-tenant eq "acme" and header x-debug not_exists matched in ReadOnly',
    ],
    ['HEAD', 'allow', undefined],
    ['DELETE', 'deny', 'method DELETE is not among GET, HEAD of ReadOnly'],
  ])('methods: %s is %s', (method, decision, reason) => {
    const flows = fixtureFlows('full-form.yaml');
    const facts = request('http://api.example.com/v1/reports/7', {
      method,
      server: 'reporting',
      headers: { 'x-tenant': 'acme' },
    });
    const decided = evaluate(flows, facts, ENFORCE);
    expect(decided.decision).toBe(decision);
    if (reason) expect(decided.reason).toBe(reason);
    if (decision === 'deny') {
      expect(decided.response).toEqual({
        status: 451,
        body: 'read only',
        headers: { 'Content-Type': 'text/plain', 'Retry-After': '60' },
      });
    }
  });

  it('does not apply a flow whose filter names other servers', () => {
    const flows = fixtureFlows('full-form.yaml');
    expect(
      evaluate(flows, request('http://api.example.com/v1/reports/7', { server: 'other' }), ENFORCE),
    ).toMatchObject({
      decision: 'deny',
      flow: null,
      reason: 'no flow applies to this request',
    });
  });

  const headerFlow = (rule: string) =>
    flowsOf(
      `Check:\n  processor: Filter\n  parameters:\n    - key: header\n      value: ${rule}\n`,
    );
  it.each([
    [
      'eq holds',
      '{key: X-Env, value: prod}',
      { 'x-env': 'prod' },
      'allow',
      'header x-env eq "prod" matched in Check',
    ],
    [
      'eq fails on another value',
      '{key: X-Env, value: prod}',
      { 'x-env': 'dev' },
      'deny',
      'header x-env eq "prod" does not hold in Check',
    ],
    [
      'eq fails when absent',
      '{key: x-env, value: prod}',
      {},
      'deny',
      'header x-env eq "prod" does not hold in Check',
    ],
    [
      'neq holds on another value',
      '{key: x-env, value: prod, operation: neq}',
      { 'x-env': 'dev' },
      'allow',
      'header x-env neq "prod" matched in Check',
    ],
    [
      'neq holds when absent',
      '{key: x-env, value: prod, operation: neq}',
      {},
      'allow',
      'header x-env neq "prod" matched in Check',
    ],
    [
      'neq fails on the value',
      '{key: x-env, value: prod, operation: neq}',
      { 'x-env': 'prod' },
      'deny',
      'header x-env neq "prod" does not hold in Check',
    ],
    [
      'exists holds',
      '{key: authorization, operation: exists}',
      { authorization: 'x' },
      'allow',
      'header authorization exists matched in Check',
    ],
    [
      'exists fails',
      '{key: authorization, operation: exists}',
      {},
      'deny',
      'header authorization exists does not hold in Check',
    ],
    [
      'not_exists holds',
      '{key: cookie, operation: not_exists}',
      {},
      'allow',
      'header cookie not_exists matched in Check',
    ],
    [
      'not_exists fails',
      '{key: cookie, operation: not_exists}',
      { cookie: 'a=b' },
      'deny',
      'header cookie not_exists does not hold in Check',
    ],
    [
      'regex holds',
      '{key: user-agent, value: "^curl/", operation: regex}',
      { 'user-agent': 'curl/8.5' },
      'allow',
      'header user-agent regex "^curl/" matched in Check',
    ],
    [
      'regex fails',
      '{key: user-agent, value: "^curl/", operation: regex}',
      { 'user-agent': 'wget' },
      'deny',
      'header user-agent regex "^curl/" does not hold in Check',
    ],
  ])('headers: %s', (_what, rule, headers, decision, reason) => {
    const decided = evaluate(headerFlow(rule), request('http://a.com/', { headers }), ENFORCE);
    expect(decided).toMatchObject({ decision, reason, processor: 'Check' });
    if (decision === 'deny') expect(decided.response).toEqual(DEFAULT_DENY_RESPONSE);
  });
});

describe('CONNECT without interception', () => {
  const pathRule = flowsOf(shortForm(['api.x.com/v1/*']));

  it('denies, fail closed, when a rule that would hit needs the path', () => {
    expect(evaluate(pathRule, tunnel('api.x.com'), ENFORCE)).toEqual({
      decision: 'deny',
      flow: 'flow-0',
      processor: 'Forbidden',
      reason:
        'rule in AllowFilter needs the path of an HTTPS request, which is only visible with TLS interception',
      response: FORBIDDEN_ACCESS,
    });
  });

  it('decides the same rule once the path is visible', () => {
    expect(evaluate(pathRule, request('https://api.x.com/v1/q'), ENFORCE).decision).toBe('allow');
    expect(evaluate(pathRule, request('https://api.x.com/v2/q'), ENFORCE).decision).toBe('deny');
  });

  it('is a plain miss when the visible criteria already miss', () => {
    expect(evaluate(pathRule, tunnel('other.com'), ENFORCE)).toMatchObject({
      decision: 'deny',
      reason: 'no url pattern of AllowFilter matches other.com:443',
    });
  });

  it('denies when a method rule cannot be checked', () => {
    const flows = flowsOf(shortForm(['api.x.com/*'], '    - {key: methods, value: [GET]}'));
    expect(evaluate(flows, tunnel('api.x.com'), ENFORCE)).toMatchObject({
      decision: 'deny',
      processor: 'Forbidden',
      reason:
        'rule in AllowFilter needs the method of an HTTPS request, which is only visible with TLS interception',
    });
  });

  it('denies with the default 403 when a flow filter cannot be checked', () => {
    const flows = flowsOf(
      'name: Scoped\nfilter:\n  url: api.x.com/v1/*\nprocessors:\n  F:\n    processor: Filter\n    parameters:\n      - {key: urls, value: [api.x.com/*]}\n',
    );
    expect(evaluate(flows, tunnel('api.x.com'), ENFORCE)).toEqual({
      decision: 'deny',
      flow: 'Scoped',
      processor: null,
      reason:
        'rule in the filter of flow Scoped needs the path of an HTTPS request, which is only visible with TLS interception',
      response: DEFAULT_DENY_RESPONSE,
    });
  });

  it('reports instead of denying in report mode', () => {
    expect(
      evaluate(pathRule, tunnel('api.x.com'), { mode: 'report', default: 'deny' }),
    ).toMatchObject({
      decision: 'report',
      reason:
        'would deny: rule in AllowFilter needs the path of an HTTPS request, which is only visible with TLS interception',
    });
  });
});

describe('full-form graphs', () => {
  it('walks a chain of Filters and allows only when every step leads to the end', () => {
    const text = `name: Chain
processors:
  Host:
    processor: Filter
    parameters: [{key: urls, value: [api.x.com/*]}]
  Method:
    processor: Filter
    parameters: [{key: method, value: GET}]
  Deny:
    processor: GenerateResponse
    parameters: [{key: status, value: 405}]
flow:
  request:
    - {from: {stream: {name: globalStream, at: start}}, to: {processor: {name: Host}}}
    - {from: {processor: {name: Host, condition: hit}}, to: {processor: {name: Method}}}
    - {from: {processor: {name: Host, condition: miss}}, to: {processor: {name: Deny}}}
    - {from: {processor: {name: Method, condition: hit}}, to: {stream: {name: globalStream, at: end}}}
    - {from: {processor: {name: Method, condition: miss}}, to: {processor: {name: Deny}}}
  response:
    - {from: {processor: {name: Deny}}, to: {stream: {name: globalStream, at: end}}}
`;
    const flows = flowsOf(text);
    expect(evaluate(flows, request('http://api.x.com/a'), ENFORCE)).toEqual({
      decision: 'allow',
      flow: 'Chain',
      processor: 'Method',
      reason: 'method GET matched in Method',
    });
    expect(evaluate(flows, request('http://api.x.com/a', { method: 'POST' }), ENFORCE)).toEqual({
      decision: 'deny',
      flow: 'Chain',
      processor: 'Deny',
      reason: 'method POST is not among GET of Method',
      response: { status: 405, body: 'OK', headers: {} },
    });
  });

  it('denies with the default 403 from a short-form flow without GenerateResponse', () => {
    const flows = flowsOf(
      'Only:\n  processor: Filter\n  parameters:\n    - {key: url, value: a.com}\n',
    );
    expect(evaluate(flows, tunnel('b.com'), ENFORCE)).toEqual({
      decision: 'deny',
      flow: 'flow-0',
      processor: 'Only',
      reason: 'no url pattern of Only matches b.com:443',
      response: DEFAULT_DENY_RESPONSE,
    });
  });
});

describe('many flows', () => {
  const scopedFlow = (name: string, filter: string, allow: string) =>
    `name: ${name}\nfilter:\n  ${filter}\nprocessors:\n  F${name}:\n    processor: Filter\n    parameters:\n      - {key: urls, value: ["${allow}"]}\n`;

  it('keeps file order between flows scoped by host, by wildcard, by server and unscoped', () => {
    const flows = flowsOf(
      scopedFlow('ByHost', 'url: x.com', 'nothing.test'),
      scopedFlow('ByWildcard', 'url: "*.com"', 'nothing.test'),
      scopedFlow('ByServer', 'servers: [s]', 'nothing.test'),
      scopedFlow('Everyone', 'methods: [GET]', 'nothing.test'),
    );
    const first = (host: string, server: string) =>
      evaluate(flows, request(`http://${host}/`, { server }), ENFORCE).flow;
    expect(first('x.com', 's')).toBe('ByHost');
    expect(first('y.com', 's')).toBe('ByWildcard');
    expect(first('y.org', 's')).toBe('ByServer');
    expect(first('y.org', 't')).toBe('Everyone');
  });

  it('decides among 1,000 flows scoped by host or by server well under a millisecond', () => {
    const texts = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? scopedFlow(`H${i}`, `url: api${i}.x.com`, `api${i}.x.com/*`)
        : scopedFlow(`S${i}`, `servers: [s${i}]`, `api${i}.y.com/*`),
    );
    const flows = flowsOf(...texts);
    const start = performance.now();
    let allowed = 0;
    for (let n = 0; n < 500; n++) {
      if (evaluate(flows, tunnel(`api${n * 2}.x.com`, 443, 'none'), ENFORCE).decision === 'allow')
        allowed++;
      if (
        evaluate(flows, tunnel(`api${n * 2 + 1}.y.com`, 443, `s${n * 2 + 1}`), ENFORCE).decision ===
        'allow'
      )
        allowed++;
    }
    expect(allowed).toBe(1000);
    expect((performance.now() - start) / 1000).toBeLessThan(1);
  });
});
