// Wire → facts: absolute-form and CONNECT targets, Host agreement, path normalisation and framing (status AND reason).
import { describe, expect, it } from 'vitest';
import { checkMessageFraming, targetFromConnect, targetFromHttpRequest } from './request-target.ts';

const host = (value: string) => ['Host', value];

describe('targetFromHttpRequest: accepted targets', () => {
  const cases: [target: string, headers: string[], href: string, facts: object][] = [
    [
      'http://API.Slack.COM./api/x?q=1',
      [],
      'http://api.slack.com/api/x?q=1',
      { host: 'api.slack.com', port: 80, path: '/api/x' },
    ],
    ['HTTP://API.SLACK.COM/X', [], 'http://api.slack.com/X', { scheme: 'http', path: '/X' }],
    [
      'https://api.slack.com/a',
      host('api.slack.com'),
      'https://api.slack.com/a',
      { scheme: 'https', port: 443 },
    ],
    ['http://api.slack.com', [], 'http://api.slack.com/', { path: '/' }],
    ['http://api.slack.com?x=1', [], 'http://api.slack.com/?x=1', { path: '/' }],
    ['http://api.slack.com:8443/v1', [], 'http://api.slack.com:8443/v1', { port: 8443 }],
    ['http://api.slack.com:80/', host('api.slack.com'), 'http://api.slack.com/', { port: 80 }],
    ['http://api.slack.com/', host('API.slack.com.:80'), 'http://api.slack.com/', { port: 80 }],
    ['http://api.slack.com/a/../../b', [], 'http://api.slack.com/b', { path: '/b' }],
    ['http://api.slack.com/a/%2e%2e/b', [], 'http://api.slack.com/b', { path: '/b' }],
    ['http://api.slack.com/a/.%2E/b', [], 'http://api.slack.com/b', { path: '/b' }],
    [
      'http://api.slack.com/a/%2e%2e%2fb',
      [],
      'http://api.slack.com/a/%2e%2e%2fb',
      { path: '/a/%2e%2e%2fb' },
    ],
    ['http://a.example/x\\..\\y', [], 'http://a.example/y', { path: '/y' }],
    ['http://2130706433/', [], 'http://127.0.0.1/', { host: '127.0.0.1' }],
    ['http://0x7f.1/', [], 'http://127.0.0.1/', { host: '127.0.0.1' }],
    ['http://0177.0.0.1/', [], 'http://127.0.0.1/', { host: '127.0.0.1' }],
    [
      'http://[::FFFF:127.0.0.1]:8080/',
      [],
      'http://[::ffff:7f00:1]:8080/',
      { host: '::ffff:7f00:1', port: 8080 },
    ],
    ['http://[0:0::1]/', host('[::1]'), 'http://[::1]/', { host: '::1' }],
    [
      'http://xn--bcher-kva.example/',
      host('bücher.example'),
      'http://xn--bcher-kva.example/',
      { host: 'xn--bcher-kva.example' },
    ],
  ];
  it.each(cases)('accepts %s (Host %j)', (target, headers, href, facts) => {
    const result = targetFromHttpRequest('slack', 'get', target, headers);
    if (!result.ok) throw new Error(`refused: ${result.reason}`);
    expect(result.target.href).toBe(href);
    expect(result.facts).toMatchObject({ server: 'slack', method: 'GET', ...facts });
  });

  it('lists end-to-end headers lower-cased, without credentials or hop-by-hop ones', () => {
    const result = targetFromHttpRequest('slack', 'POST', 'http://api.slack.com/x', [
      'Host',
      'api.slack.com',
      'Proxy-Authorization',
      'Basic c2VjcmV0',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'Content-Type',
      'application/json',
      'Accept',
      'a',
      'accept',
      'b',
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.facts.headers).toEqual({
      host: 'api.slack.com',
      'content-type': 'application/json',
      accept: 'a, b',
    });
  });
});

describe('targetFromHttpRequest: refused targets', () => {
  const cases: [target: string, headers: string[], status: number, reason: string][] = [
    ['/relative', [], 400, 'absolute-form request target required'],
    ['*', [], 400, 'absolute-form request target required'],
    ['//api.slack.com/x', [], 400, 'absolute-form request target required'],
    ['ftp://api.slack.com/', [], 400, 'scheme ftp is not supported (http or https only)'],
    ['ws://api.slack.com/', [], 400, 'scheme ws is not supported (http or https only)'],
    ['http://api.slack.com/#frag', [], 400, 'a request target cannot carry a fragment'],
    ['http://api.slack.com@evil.example/', [], 400, 'request target: userinfo is refused'],
    ['http://evil.example@api.slack.com/', [], 400, 'request target: userinfo is refused'],
    ['http://u:p@api.slack.com/', [], 400, 'request target: userinfo is refused'],
    ['http://api.slack.com\\@evil.example/', [], 400, 'request target: userinfo is refused'],
    [
      'http://%61pi.slack.com/',
      [],
      400,
      'request target: host has characters a host name cannot have',
    ],
    [
      'http://api.slack.com\\evil/',
      [],
      400,
      'request target: host has characters a host name cannot have',
    ],
    ['http://api.slack.com:0/', [], 400, 'request target: port must be 1-65535'],
    ['http://api.slack.com:65536/', [], 400, 'request target: port must be 1-65535'],
    ['http://api.slack.com:08080/', [], 400, 'request target: port must be 1-65535'],
    ['http://api.slack.com:/', [], 400, 'request target: port must be 1-65535'],
    ['http://api.slack.com:8o/', [], 400, 'request target: port must be 1-65535'],
    ['http://::1/', [], 400, 'request target: an IPv6 address must be in brackets'],
    ['http://[127.0.0.1]/', [], 400, 'request target: only IPv6 addresses go in brackets'],
    ['http://[::1/', [], 400, 'request target: misplaced brackets'],
    ['http:///x', [], 400, 'request target: empty host'],
    ['http://api..slack.com/', [], 400, "request target: empty label in host 'api..slack.com'"],
    ['http://api.slack.com../', [], 400, "request target: empty label in host 'api.slack.com..'"],
    [
      'http://api.slack.com/',
      host('evil.example'),
      400,
      'Host header does not match the request target',
    ],
    [
      'http://api.slack.com/',
      host('api.slack.com:443'),
      400,
      'Host header does not match the request target',
    ],
    [
      'https://api.slack.com/',
      host('api.slack.com:80'),
      400,
      'Host header does not match the request target',
    ],
    [
      'http://api.slack.com:8080/',
      host('api.slack.com'),
      400,
      'Host header does not match the request target',
    ],
    [
      'http://127.0.0.1/',
      host('2130706433:81'),
      400,
      'Host header does not match the request target',
    ],
    [
      'http://api.slack.com/',
      [...host('api.slack.com'), ...host('api.slack.com')],
      400,
      'several Host headers',
    ],
    ['http://api.slack.com/', host('evil@api.slack.com'), 400, 'Host header: userinfo is refused'],
    [
      'http://api.slack.com/',
      host('api.slack.com/x'),
      400,
      'Host header: host has characters a host name cannot have',
    ],
  ];
  it.each(cases)('refuses %s (Host %j)', (target, headers, status, reason) => {
    expect(targetFromHttpRequest('slack', 'GET', target, headers)).toEqual({
      ok: false,
      status,
      reason,
    });
  });

  it.each([
    ['CONNECT', 'CONNECT is not an absolute-form request'],
    ['G ET', 'invalid method'],
    ['', 'invalid method'],
  ])('refuses method %j', (method, reason) => {
    expect(targetFromHttpRequest('slack', method, 'http://a.example/', [])).toEqual({
      ok: false,
      status: 400,
      reason,
    });
  });
});

describe('targetFromConnect', () => {
  it.each([
    ['api.slack.com:443', [], 'api.slack.com', 443],
    ['API.Slack.com.:443', host('api.slack.com:443'), 'api.slack.com', 443],
    ['api.slack.com:443', host('api.slack.com'), 'api.slack.com', 443],
    ['api.slack.com:8443', host('api.slack.com:8443'), 'api.slack.com', 8443],
    ['[::1]:443', host('[::1]:443'), '::1', 443],
    ['[::ffff:127.0.0.1]:443', [], '::ffff:7f00:1', 443],
    ['2130706433:443', [], '127.0.0.1', 443],
  ])(
    'accepts %s (Host %j) as %s port %d, with only host and port visible',
    (authority, headers, expectedHost, port) => {
      const result = targetFromConnect('slack', authority, headers);
      if (!result.ok) throw new Error(result.reason);
      expect(result.facts).toEqual({
        server: 'slack',
        scheme: 'https',
        host: expectedHost,
        port,
        method: undefined,
        path: undefined,
        headers: undefined,
      });
    },
  );

  it.each([
    ['api.slack.com', [], 'CONNECT target must be host:port'],
    ['api.slack.com:443/x', [], 'CONNECT target must be host:port, without a path'],
    ['http://api.slack.com:443/', [], 'CONNECT target must be host:port, without a path'],
    ['api.slack.com:443?x', [], 'CONNECT target must be host:port, without a path'],
    ['u@api.slack.com:443', [], 'CONNECT target: userinfo is refused'],
    ['::1:443', [], 'CONNECT target: an IPv6 address must be in brackets'],
    ['api.slack.com:0', [], 'CONNECT target: port must be 1-65535'],
    ['api.slack.com:65536', [], 'CONNECT target: port must be 1-65535'],
    ['api.slack.com:https', [], 'CONNECT target: port must be 1-65535'],
    [':443', [], 'CONNECT target: empty host'],
    ['api.slack.com:8443', host('api.slack.com'), 'Host header does not match the request target'],
    [
      'api.slack.com:443',
      host('evil.example:443'),
      'Host header does not match the request target',
    ],
    [
      'api.slack.com:443',
      [...host('api.slack.com:443'), ...host('evil.example:443')],
      'several Host headers',
    ],
  ])('refuses %s (Host %j)', (authority, headers, reason) => {
    expect(targetFromConnect('slack', authority, headers)).toEqual({
      ok: false,
      status: 400,
      reason,
    });
  });
});

describe('checkMessageFraming', () => {
  it.each([
    [[]],
    [['Host', 'a.example', 'Content-Length', '12']],
    [['Host', 'a.example', 'Transfer-Encoding', 'chunked']],
    [['Transfer-Encoding', 'CHUNKED']],
    [['Content-Length', '0']],
  ])('accepts %j', (raw) => {
    expect(checkMessageFraming(raw)).toEqual({ ok: true });
  });

  it.each([
    [
      ['Content-Length', '4', 'Transfer-Encoding', 'chunked'],
      'Content-Length together with Transfer-Encoding',
    ],
    [
      ['Transfer-Encoding', 'chunked', 'Content-Length', '4'],
      'Content-Length together with Transfer-Encoding',
    ],
    [['Content-Length', '1', 'Content-Length', '1'], 'duplicate Content-Length'],
    [['Content-Length', '1', 'content-length', '2'], 'duplicate Content-Length'],
    [['Content-Length', '1, 1'], 'Content-Length is not a number'],
    [['Content-Length', '+1'], 'Content-Length is not a number'],
    [['Content-Length', '-1'], 'Content-Length is not a number'],
    [['Content-Length', 'abc'], 'Content-Length is not a number'],
    [['Content-Length', ''], 'Content-Length is not a number'],
    [['Transfer-Encoding', 'identity, chunked'], 'Transfer-Encoding other than chunked'],
    [['Transfer-Encoding', 'gzip'], 'Transfer-Encoding other than chunked'],
    [['Transfer-Encoding', 'xchunked'], 'Transfer-Encoding other than chunked'],
    [
      ['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'],
      'several Transfer-Encoding headers',
    ],
    [['X-A', 'one\r\nX-B: two'], 'header X-A contains CR, LF or NUL'],
    [['X-A', 'one\ntwo'], 'header X-A contains CR, LF or NUL'],
    [['X-A', 'one\0'], 'header X-A contains CR, LF or NUL'],
    [['X-A', ' folded'], 'header X-A is folded (obs-fold)'],
    [['X-A', '\tfolded'], 'header X-A is folded (obs-fold)'],
    [['X A', '1'], 'invalid header name'],
    [['', '1'], 'invalid header name'],
    [['X-A'], 'header without a value'],
  ])('refuses %j', (raw, reason) => {
    expect(checkMessageFraming(raw)).toEqual({ ok: false, status: 400, reason });
  });
});
