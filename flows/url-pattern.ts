// Parses one URL pattern (`[scheme://]host[:port][/path]`) into a host key, ports and a path matcher.
import { escape as escapeGlob, Minimatch } from 'minimatch';
import { normaliseHost } from './host.ts';

export type Scheme = 'http' | 'https';

export interface PathMatcher {
  /** First path segment when it is literal; lets an index skip patterns that cannot match. */
  readonly firstSegment: string | undefined;
  match(path: string): boolean;
}

export interface UrlPattern {
  /** As written in the flow file. */
  readonly text: string;
  /** Each scheme with the one port it allows (the default port unless one is written). */
  readonly endpoints: readonly { readonly scheme: Scheme; readonly port: number }[];
  /** Normalised host, or the base domain of a `*.` wildcard. */
  readonly host: string;
  /** `*.host`: one or more labels under `host`, never `host` itself. */
  readonly wildcard: boolean;
  /** Undefined: any path. */
  readonly path: PathMatcher | undefined;
}

export type UrlPatternResult =
  | { readonly ok: true; readonly pattern: UrlPattern }
  | { readonly ok: false; readonly reason: string };

export const DEFAULT_PORTS: Readonly<Record<Scheme, number>> = { http: 80, https: 443 };

const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const PARAM_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_-]*\}$/;
const MINIMATCH_OPTIONS = {
  dot: true,
  nobrace: true,
  noext: true,
  nonegate: true,
  nocomment: true,
  preserveMultipleSlashes: true,
} as const;

export function parseUrlPattern(text: string): UrlPatternResult {
  if (text.trim() === '') return bad('empty pattern');
  if (/\s/.test(text)) return bad('a pattern cannot contain whitespace');
  let rest = text;
  let schemes: readonly Scheme[] = ['http', 'https'];
  const scheme = SCHEME_PREFIX.exec(text);
  if (scheme) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (name !== 'http' && name !== 'https') return bad(`scheme '${name}' is not http or https`);
    schemes = [name];
    rest = text.slice(scheme[0].length);
  }
  if (/[?#]/.test(rest)) return bad('query strings and fragments are never matched; remove them');
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const rawPath = slash === -1 ? '' : rest.slice(slash);
  if (authority.includes('@')) return bad('userinfo is not allowed in a pattern');
  const split = splitAuthority(authority);
  if (!split.ok) return split;
  const host = parseHost(split.host);
  if (!host.ok) return host;
  const path = compilePath(rawPath);
  if (!path.ok) return path;
  const endpoints = schemes.map((s) => ({ scheme: s, port: split.port ?? DEFAULT_PORTS[s] }));
  return {
    ok: true,
    pattern: { text, endpoints, host: host.host, wildcard: host.wildcard, path: path.matcher },
  };
}

function splitAuthority(
  authority: string,
): { ok: true; host: string; port: number | undefined } | { ok: false; reason: string } {
  let host = authority;
  let port: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return bad('unclosed [ in IPv6 address');
    host = authority.slice(0, close + 1);
    const after = authority.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return bad(`unexpected '${after}' after IPv6 address`);
      port = after.slice(1);
    }
  } else {
    const colons = authority.split(':').length - 1;
    if (colons > 1) return bad('IPv6 addresses must be written in brackets: [::1]');
    if (colons === 1) [host, port] = authority.split(':') as [string, string];
  }
  if (host === '') return bad('empty host');
  if (port === undefined) return { ok: true, host, port: undefined };
  if (!/^\d{1,5}$/.test(port)) return bad(`port '${port}' is not a number`);
  const value = Number(port);
  if (value < 1 || value > 65535) return bad(`port ${port} is out of range (1-65535)`);
  return { ok: true, host, port: value };
}

function parseHost(
  raw: string,
): { ok: true; host: string; wildcard: boolean } | { ok: false; reason: string } {
  let base = raw;
  const wildcard = raw.startsWith('*.');
  if (wildcard) base = raw.slice(2);
  if (base.includes('*')) {
    return bad(`'${raw}': * is only allowed as the whole leftmost label, as in *.example.com`);
  }
  if (wildcard && (base === '' || base === '.')) return bad(`'${raw}' needs a domain after *.`);
  const host = normaliseHost(base);
  if (!host.ok) return bad(host.reason);
  if (wildcard && host.kind !== 'name') return bad(`'${raw}': a wildcard needs a domain name`);
  return { ok: true, host: host.host, wildcard };
}

/** Translates the flow path syntax to a minimatch glob, compiled once. */
function compilePath(
  raw: string,
): { ok: true; matcher: PathMatcher | undefined } | { ok: false; reason: string } {
  if (raw === '' || raw === '/*' || raw === '/**') return { ok: true, matcher: undefined };
  const segments = raw.split('/').slice(1);
  const glob: string[] = [];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '**' || (last && segment === '*')) glob.push('**');
    else if (PARAM_SEGMENT.test(segment)) glob.push('*');
    else if (/[{}]/.test(segment)) return bad(`'${segment}': {name} must be a whole path segment`);
    else if (segment.includes('**')) return bad(`'${segment}': ** must be a whole path segment`);
    else
      glob.push(
        segment
          .split('*')
          .map((part) => escapeGlob(part))
          .join('*'),
      );
  }
  const first = segments[0];
  const literalFirst = first !== undefined && !/[*{}]/.test(first) ? first : undefined;
  const mm = new Minimatch(`/${glob.join('/')}`, MINIMATCH_OPTIONS);
  return { ok: true, matcher: { firstSegment: literalFirst, match: (path) => mm.match(path) } };
}

function bad(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
