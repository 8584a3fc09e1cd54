// URL patterns: parsing (what is refused) and matching (anchoring, wildcards, ports, paths) through the index.
import { describe, expect, it } from 'vitest';
import { buildUrlIndex } from './url-index.ts';
import { parseUrlPattern, type Scheme, type UrlPattern } from './url-pattern.ts';

function compile(texts: readonly string[]): UrlPattern[] {
  return texts.map((text) => {
    const parsed = parseUrlPattern(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
    return parsed.pattern;
  });
}

/** `https://host:port/path`; the path may be left out to stand for a tunnel. */
function lookup(patterns: readonly string[], target: string, tunnel = false) {
  const url = new URL(target);
  const scheme = url.protocol.slice(0, -1) as Scheme;
  const port = url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return buildUrlIndex(compile(patterns)).lookup(
    scheme,
    host,
    port,
    tunnel ? undefined : url.pathname,
  ).kind;
}

describe('URL pattern matching', () => {
  it.each([
    // host: exact and anchored
    ['api.slack.com/*', 'https://api.slack.com/api/chat.postMessage', 'hit'],
    ['api.slack.com/*', 'https://api.slack.com/', 'hit'],
    ['api.slack.com/*', 'http://api.slack.com/x', 'hit'],
    ['api.slack.com/*', 'https://api.slack.com.evil.io/x', 'miss'],
    ['api.slack.com/*', 'https://evilapi.slack.com/x', 'miss'],
    ['api.slack.com/*', 'https://x.api.slack.com/x', 'miss'],
    ['api.slack.com', 'https://api.slack.com/any/path', 'hit'],
    ['API.Slack.com./*', 'https://api.slack.com/x', 'hit'],
    // wildcards: one or more labels, never the base itself
    ['*.googleapis.com/*', 'https://maps.googleapis.com/x', 'hit'],
    ['*.googleapis.com/*', 'https://a.b.googleapis.com/x', 'hit'],
    ['*.googleapis.com/*', 'https://googleapis.com/x', 'miss'],
    ['*.googleapis.com/*', 'https://evilgoogleapis.com/x', 'miss'],
    ['*.googleapis.com/*', 'https://googleapis.com.evil.io/x', 'miss'],
    // ports: only the default unless written
    ['api.slack.com/*', 'https://api.slack.com:8443/x', 'miss'],
    ['api.slack.com/*', 'http://api.slack.com:8080/x', 'miss'],
    ['api.slack.com:8443/*', 'https://api.slack.com:8443/x', 'hit'],
    ['api.slack.com:8443/*', 'https://api.slack.com/x', 'miss'],
    ['api.slack.com:8443/*', 'http://api.slack.com:8443/x', 'hit'],
    ['api.slack.com:443/*', 'https://api.slack.com/x', 'hit'],
    // scheme prefix
    ['https://api.slack.com/*', 'https://api.slack.com/x', 'hit'],
    ['https://api.slack.com/*', 'http://api.slack.com/x', 'miss'],
    ['http://api.slack.com/*', 'http://api.slack.com/x', 'hit'],
    ['http://api.slack.com/*', 'https://api.slack.com/x', 'miss'],
    ['HTTPS://api.slack.com/*', 'https://api.slack.com/x', 'hit'],
    // paths: anchored; trailing /* any depth; * within a segment; ** any segments; {id} one segment
    ['api.x.com/v1/users', 'https://api.x.com/v1/users', 'hit'],
    ['api.x.com/v1/users', 'https://api.x.com/v1/users/1', 'miss'],
    ['api.x.com/v1/users', 'https://api.x.com/prefix/v1/users', 'miss'],
    ['api.x.com/v1/*', 'https://api.x.com/v1/a/b/c', 'hit'],
    ['api.x.com/v1/*', 'https://api.x.com/v1/', 'hit'],
    ['api.x.com/v1/*', 'https://api.x.com/v1', 'miss'],
    ['api.x.com/v1/*', 'https://api.x.com/v2/a', 'miss'],
    ['api.x.com/v1/*.json', 'https://api.x.com/v1/data.json', 'hit'],
    ['api.x.com/v1/*.json/x', 'https://api.x.com/v1/a/b.json/x', 'miss'],
    ['api.x.com/v1/**/items', 'https://api.x.com/v1/a/b/items', 'hit'],
    ['api.x.com/v1/**/items', 'https://api.x.com/v1/items', 'hit'],
    ['api.x.com/users/{id}', 'https://api.x.com/users/42', 'hit'],
    ['api.x.com/users/{id}', 'https://api.x.com/users/42/keys', 'miss'],
    ['api.x.com/users/{id}', 'https://api.x.com/users/', 'miss'],
    ['api.x.com/users/{id}/keys', 'https://api.x.com/users//keys', 'miss'],
    ['api.x.com/users/{id}/keys', 'https://api.x.com/users/.well-known/keys', 'hit'],
    ['api.x.com/a/b', 'https://api.x.com/a//b', 'miss'],
    ['api.x.com/Users', 'https://api.x.com/users', 'miss'],
    ['api.x.com/[ab]', 'https://api.x.com/a', 'miss'],
    ['api.x.com/[ab]', 'https://api.x.com/[ab]', 'hit'],
    // query strings are never part of the match
    ['api.x.com/search', 'https://api.x.com/search?q=1', 'hit'],
    // IP hosts
    ['127.0.0.1:8080/*', 'http://127.0.0.1:8080/x', 'hit'],
    ['0x7f.1:8080/*', 'http://127.0.0.1:8080/x', 'hit'],
    ['[::1]:8080/*', 'http://[::1]:8080/x', 'hit'],
    ['127.0.0.1:8080/*', 'http://127.0.0.2:8080/x', 'miss'],
  ] as const)('%s against %s: %s', (pattern, target, expected) => {
    expect(lookup([pattern], target)).toBe(expected);
  });

  it.each([
    ['api.x.com/*', 'hit'],
    ['api.x.com/v1/*', 'needs-path'],
    ['http://api.x.com/v1/*', 'miss'],
    ['*.api.x.com/v1/*', 'miss'],
    ['*.x.com/v1/*', 'needs-path'],
  ] as const)('in a tunnel (no path), %s is %s', (pattern, expected) => {
    expect(lookup([pattern], 'https://api.x.com/', true)).toBe(expected);
  });

  it('prefers a pattern that needs no path over one that does', () => {
    expect(lookup(['api.x.com/v1/*', '*.x.com/*'], 'https://api.x.com/', true)).toBe('hit');
  });

  it('names the pattern that matched', () => {
    const index = buildUrlIndex(compile(['a.com/*', '*.b.com/v1/{id}', 'c.com/x']));
    expect(index.lookup('https', 'z.b.com', 443, '/v1/7')).toEqual({
      kind: 'hit',
      pattern: '*.b.com/v1/{id}',
    });
  });

  it('decides among 1,000 patterns well under a millisecond', () => {
    const texts = Array.from({ length: 1000 }, (_, i) =>
      i % 3 === 0
        ? `api${i}.p${i}.com/*`
        : i % 3 === 1
          ? `*.s${i}.net/*`
          : `r${i}.io/v1/users/{id}`,
    );
    const index = buildUrlIndex(compile(texts));
    const start = performance.now();
    let hits = 0;
    for (let n = 0; n < 1000; n++) {
      const i = (n * 7) % 1000;
      if (index.lookup('http', `x.s${i}.net`, 80, '/').kind === 'hit') hits++;
      if (index.lookup('http', `r${i}.io`, 80, '/v1/users/9').kind === 'hit') hits++;
    }
    const perLookupMs = (performance.now() - start) / 2000;
    expect(hits).toBeGreaterThan(600);
    expect(perLookupMs).toBeLessThan(1);
  });
});

describe('URL pattern parsing', () => {
  it.each([
    ['*', /whole leftmost label/],
    ['*/', /whole leftmost label/],
    ['*.', /needs a domain after/],
    ['*./x', /needs a domain after/],
    ['a.*.b', /whole leftmost label/],
    ['*x.com/*', /whole leftmost label/],
    ['x*.com', /whole leftmost label/],
    ['*.*.com', /whole leftmost label/],
    ['*.127.0.0.1', /wildcard needs a domain name/],
    ['', /empty pattern/],
    ['/path/only', /empty host/],
    ['https:///x', /empty host/],
    ['user@api.x.com/*', /userinfo/],
    ['user:pw@api.x.com/*', /userinfo/],
    ['api.x.com:0/*', /out of range/],
    ['api.x.com:65536/*', /out of range/],
    ['api.x.com:/*', /not a number/],
    ['api.x.com:http/*', /not a number/],
    ['::1/*', /brackets/],
    ['[::1/*', /unclosed/],
    ['[::1]x/*', /unexpected/],
    ['ftp://api.x.com/*', /not http or https/],
    ['api.x.com/a?b=1', /query strings/],
    ['api.x.com/a#frag', /query strings/],
    ['api x.com/*', /whitespace/],
    ['api.x.com/v{n}/x', /whole path segment/],
    ['api.x.com/a**/x', /whole path segment/],
    ['a..b/*', /empty label/],
  ])('refuses %j', (text, reason) => {
    const parsed = parseUrlPattern(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('reads the ports each scheme allows', () => {
    const [plain, http, explicit] = compile(['a.com/*', 'http://a.com/*', 'a.com:8443/*']);
    expect(plain?.endpoints).toEqual([
      { scheme: 'http', port: 80 },
      { scheme: 'https', port: 443 },
    ]);
    expect(http?.endpoints).toEqual([{ scheme: 'http', port: 80 }]);
    expect(explicit?.endpoints).toEqual([
      { scheme: 'http', port: 8443 },
      { scheme: 'https', port: 8443 },
    ]);
  });
});
