// Normalises a host the one way both matching and dialing use, so a spelling trick cannot split them.

export type HostKind = 'name' | 'ipv4' | 'ipv6';

export type NormalisedHost =
  | { readonly ok: true; readonly host: string; readonly kind: HostKind }
  | { readonly ok: false; readonly reason: string };

// Characters the WHATWG parser would treat as URL structure (or percent-decode) instead of host text.
const STRUCTURAL = /[\s/\\?#%@]/;
const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const LABEL = /^[a-z0-9_-]{1,63}$/;

/**
 * Lower case, one trailing dot removed, IDN → punycode, IPv4 in any spelling (decimal, octal, hex,
 * short) → dotted quad, IPv6 → WHATWG canonical form without brackets. Refuses userinfo, ports,
 * empty labels and anything the WHATWG host parser refuses.
 */
export function normaliseHost(raw: string): NormalisedHost {
  if (raw === '') return refuse('empty host');
  if (raw.includes('@')) return refuse('userinfo is not allowed in a host');
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) return refuse('a port is not part of the host');
    return ipv6(raw.slice(1, -1));
  }
  if (raw.includes(':')) {
    // Bare IPv6 (`::1`) is accepted; `name:port` is not a host.
    return raw.indexOf(':') === raw.lastIndexOf(':')
      ? refuse('a port is not part of the host')
      : ipv6(raw);
  }
  if (STRUCTURAL.test(raw)) return refuse(`invalid character in host '${raw}'`);
  const withoutDot = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (withoutDot === '') return refuse('empty host');
  const parsed = whatwgHostname(withoutDot);
  if (parsed === undefined) return refuse(`'${raw}' is not a valid host`);
  if (DOTTED_QUAD.test(parsed)) return { ok: true, host: parsed, kind: 'ipv4' };
  if (parsed.length > 253) return refuse('host is longer than 253 characters');
  for (const label of parsed.split('.')) {
    if (label === '') return refuse(`empty label in host '${raw}'`);
    if (!LABEL.test(label)) return refuse(`invalid label '${label}' in host '${raw}'`);
  }
  return { ok: true, host: parsed, kind: 'name' };
}

function ipv6(inner: string): NormalisedHost {
  if (inner === '') return refuse('empty host');
  if (STRUCTURAL.test(inner)) return refuse(`invalid IPv6 address '${inner}'`);
  const parsed = whatwgHostname(`[${inner}]`);
  if (parsed === undefined) return refuse(`invalid IPv6 address '${inner}'`);
  return { ok: true, host: parsed.slice(1, -1), kind: 'ipv6' };
}

function whatwgHostname(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}

function refuse(reason: string): NormalisedHost {
  return { ok: false, reason };
}
