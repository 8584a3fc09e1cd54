// Which request headers travel upstream: end-to-end ones only, in their original order.

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the proxy's own credentials. */
const ALWAYS_DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Headers a `Connection` option must not remove: dropping them would change how the origin
 * routes or frames the request after the proxy checked it.
 */
const NEVER_NOMINATED = new Set(['host', 'content-length']);

/** Lower-case names `Connection` nominates as hop-by-hop (every Connection header, every token). */
export function connectionNominated(rawHeaders: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'connection') continue;
    for (const token of (rawHeaders[i + 1] ?? '').split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !NEVER_NOMINATED.has(name)) named.add(name);
    }
  }
  return named;
}

/** Whether a (lower-case) header name stops at the proxy, given what `Connection` nominated. */
export function isHopByHop(lowerName: string, nominated: ReadonlySet<string>): boolean {
  return ALWAYS_DROPPED.has(lowerName) || nominated.has(lowerName);
}

/** Node's flat `rawHeaders` ([name, value, …]) → the flat list to send upstream. */
export function forwardHeaders(rawHeaders: readonly string[]): string[] {
  const nominated = connectionNominated(rawHeaders);
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (isHopByHop(name.toLowerCase(), nominated)) continue;
    kept.push(name, rawHeaders[i + 1] ?? '');
  }
  return kept;
}
