// Wire → facts: turns one proxied request's target and headers into RequestFacts, refusing anything ambiguous.
import { normaliseHost } from '../flows/host.ts';
import type { RequestFacts } from '../flows/types.ts';
import { forwardHeaders } from './forward-headers.ts';

export type TargetResult =
  | { ok: true; facts: RequestFacts; target: URL }
  | { ok: false; status: number; reason: string };

/** Over CONNECT only host and port are known: facts, and no URL to build. */
export type ConnectTargetResult =
  | { ok: true; facts: RequestFacts }
  | { ok: false; status: number; reason: string };

export type FramingResult = { ok: true } | { ok: false; status: number; reason: string };

const DEFAULT_PORT = { http: 80, https: 443 } as const;
/** RFC 9110 token: method and header names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

type Authority = {
  host: string;
  kind: 'name' | 'ipv4' | 'ipv6';
  /** Undefined when the authority carries no port. */
  port: number | undefined;
};

const refuse = (status: number, reason: string) => ({ ok: false, status, reason }) as const;

/** An absolute-form request (`GET http://host/path`) as a forward proxy receives it. */
export function targetFromHttpRequest(
  server: string,
  method: string,
  requestTarget: string,
  rawHeaders: readonly string[],
): TargetResult {
  if (!TOKEN.test(method)) return refuse(400, 'invalid method');
  const upperMethod = method.toUpperCase();
  if (upperMethod === 'CONNECT') return refuse(400, 'CONNECT is not an absolute-form request');
  const form = ABSOLUTE_FORM.exec(requestTarget);
  if (!form) {
    return refuse(400, 'absolute-form request target required');
  }
  const scheme = (form[1] ?? '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return refuse(400, `scheme ${scheme} is not supported (http or https only)`);
  }
  const rawAuthority = form[2] ?? '';
  const rest = form[3] ?? '';
  if (rest.includes('#')) return refuse(400, 'a request target cannot carry a fragment');
  const authority = parseAuthority(rawAuthority);
  if (!authority.ok) return refuse(400, `request target: ${authority.reason}`);
  const port = authority.port ?? DEFAULT_PORT[scheme];
  const hostAgreement = checkHostHeader(rawHeaders, authority, port, DEFAULT_PORT[scheme]);
  if (!hostAgreement.ok) return hostAgreement;

  const hostForUrl = authority.kind === 'ipv6' ? `[${authority.host}]` : authority.host;
  let target: URL;
  try {
    const portText = port === DEFAULT_PORT[scheme] ? '' : `:${port}`;
    // The path is resolved the WHATWG way (dot segments, %2e%2e) so we forward what we checked.
    target = new URL(`${scheme}://${hostForUrl}${portText}${rest}`);
  } catch {
    return refuse(400, 'request target is not a valid URL');
  }
  // Fail closed if the URL parser reads the host differently from the normaliser.
  if (target.hostname !== hostForUrl) return refuse(400, 'request target host is ambiguous');
  return {
    ok: true,
    target,
    facts: {
      server,
      scheme,
      host: authority.host,
      port,
      method: upperMethod,
      path: target.pathname,
      headers: headerRecord(rawHeaders),
    },
  };
}

/** A CONNECT request's authority (`host:port` or `[v6]:port`): only host and port are visible. */
export function targetFromConnect(
  server: string,
  authority: string,
  rawHeaders: readonly string[],
): ConnectTargetResult {
  if (/[/?#]/.test(authority)) {
    return refuse(400, 'CONNECT target must be host:port, without a path');
  }
  const parsed = parseAuthority(authority);
  if (!parsed.ok) return refuse(400, `CONNECT target: ${parsed.reason}`);
  if (parsed.port === undefined) return refuse(400, 'CONNECT target must be host:port');
  const hostAgreement = checkHostHeader(rawHeaders, parsed, parsed.port, DEFAULT_PORT.https);
  if (!hostAgreement.ok) return hostAgreement;
  return {
    ok: true,
    facts: {
      server,
      scheme: 'https',
      host: parsed.host,
      port: parsed.port,
      method: undefined,
      path: undefined,
      headers: undefined,
    },
  };
}

/**
 * Refuses messages whose length two parsers could read differently (request smuggling). Node's
 * own parser rejects most of these first; this is the second layer, over rawHeaders.
 */
export function checkMessageFraming(rawHeaders: readonly string[]): FramingResult {
  const lengths: string[] = [];
  const codings: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = rawHeaders[i + 1];
    if (value === undefined) return refuse(400, 'header without a value');
    if (!TOKEN.test(name)) return refuse(400, 'invalid header name');
    if (/[\r\n\0]/.test(value)) return refuse(400, `header ${name} contains CR, LF or NUL`);
    // The parser trims leading whitespace; any left over is an obs-fold continuation.
    if (/^[ \t]/.test(value)) return refuse(400, `header ${name} is folded (obs-fold)`);
    const lower = name.toLowerCase();
    if (lower === 'content-length') lengths.push(value);
    if (lower === 'transfer-encoding') codings.push(value);
  }
  if (lengths.length > 0 && codings.length > 0) {
    return refuse(400, 'Content-Length together with Transfer-Encoding');
  }
  if (lengths.length > 1) return refuse(400, 'duplicate Content-Length');
  if (lengths.length === 1 && !/^[0-9]{1,15}$/.test(lengths[0]?.trim() ?? '')) {
    return refuse(400, 'Content-Length is not a number');
  }
  if (codings.length > 1) return refuse(400, 'several Transfer-Encoding headers');
  if (codings.length === 1 && codings[0]?.trim().toLowerCase() !== 'chunked') {
    return refuse(400, 'Transfer-Encoding other than chunked');
  }
  return { ok: true };
}

/** One Host header at most, naming the same host and port as the target (after normalisation). */
function checkHostHeader(
  rawHeaders: readonly string[],
  target: Authority,
  port: number,
  hostDefaultPort: number,
): { ok: true } | { ok: false; status: number; reason: string } {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'host') values.push(rawHeaders[i + 1] ?? '');
  }
  if (values.length > 1) return refuse(400, 'several Host headers');
  const [value] = values;
  if (value === undefined) return { ok: true };
  const host = parseAuthority(value.trim());
  if (!host.ok) return refuse(400, `Host header: ${host.reason}`);
  if (host.host !== target.host || (host.port ?? hostDefaultPort) !== port) {
    return refuse(400, 'Host header does not match the request target');
  }
  return { ok: true };
}

type ParsedAuthority = ({ ok: true } & Authority) | { ok: false; reason: string };

/**
 * Authorities seen recently → their parse. Parsing is a pure function of the text, and a proxy sees the
 * same few authorities (in the target and again in Host) on every request. Dropped whole when full.
 */
const parsedAuthorities = new Map<string, Readonly<ParsedAuthority>>();
const PARSED_AUTHORITIES_LIMIT = 4096;

function parseAuthority(text: string): Readonly<ParsedAuthority> {
  let parsed = parsedAuthorities.get(text);
  if (parsed === undefined) {
    parsed = Object.freeze(parseAuthorityText(text));
    // Only what a real authority can be (a 253-byte name and a port): long junk is parsed, not kept.
    if (text.length > 270) return parsed;
    if (parsedAuthorities.size >= PARSED_AUTHORITIES_LIMIT) parsedAuthorities.clear();
    parsedAuthorities.set(text, parsed);
  }
  return parsed;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`; no userinfo, no percent-encoding, no zone ids. */
function parseAuthorityText(text: string): ParsedAuthority {
  if (text === '') return { ok: false, reason: 'empty host' };
  if (text.includes('@')) return { ok: false, reason: 'userinfo is refused' };
  if (/[^A-Za-z0-9.:[\]_\-\u0080-\uffff]/.test(text)) {
    return { ok: false, reason: 'host has characters a host name cannot have' };
  }
  let hostText: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    hostText = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (text.includes('[') || text.includes(']')) {
    return { ok: false, reason: 'misplaced brackets' };
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return { ok: false, reason: 'an IPv6 address must be in brackets' };
    hostText = parts[0] ?? '';
    portText = parts[1];
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^[1-9][0-9]{0,4}$/.test(portText) ? Number(portText) : 0;
    if (port < 1 || port > 65535) return { ok: false, reason: 'port must be 1-65535' };
  }
  if (hostText === '') return { ok: false, reason: 'empty host' };
  const normal = normaliseHost(hostText);
  if (!normal.ok) return { ok: false, reason: normal.reason };
  if ((normal.kind === 'ipv6') !== (bracketed !== null)) {
    return { ok: false, reason: 'only IPv6 addresses go in brackets' };
  }
  return { ok: true, host: normal.host, kind: normal.kind, port };
}

/** Lower-case names, end-to-end headers only, repeated headers joined with `, `. */
function headerRecord(rawHeaders: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  const kept = forwardHeaders(rawHeaders);
  for (let i = 0; i + 1 < kept.length; i += 2) {
    const name = (kept[i] ?? '').toLowerCase();
    const value = kept[i + 1] ?? '';
    record[name] = name in record ? `${record[name]}, ${value}` : value;
  }
  return record;
}
