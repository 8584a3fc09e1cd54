// Classifies one IP address into the classes the address guard reasons about (pure, ipaddr.js ranges).
import ipaddr from 'ipaddr.js';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'broadcast'
  | 'unspecified'
  | 'ipv4-embedded'
  | 'reserved'
  | 'invalid';

/** ipaddr.js range names → our classes; anything not listed and not `unicast` is `reserved`. */
const IPV4_RANGES: Readonly<Record<string, AddressClass>> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'cgnat',
  private: 'private',
};

const IPV6_RANGES: Readonly<Record<string, AddressClass>> = {
  unicast: 'public',
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'private',
  // Site-local was IPv6's first private range; still routed privately where it survives.
  deprecatedSiteLocal: 'private',
  // Every form that carries an IPv4 address inside: a gateway may turn it back into that IPv4.
  ipv4Mapped: 'ipv4-embedded',
  rfc6145: 'ipv4-embedded',
  rfc6052: 'ipv4-embedded',
  '6to4': 'ipv4-embedded',
  teredo: 'ipv4-embedded',
};

/** Ranges ipaddr.js leaves as `unicast` but the guard must not: parsed once. */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * The class of an IP literal as a resolver returns it: dotted-quad IPv4 or IPv6 without brackets
 * (a zone id is allowed). Other spellings (`127.1`, `0x7f.0.0.1`, `[::1]`) are `invalid`: the
 * guard only sees addresses that were already normalised, so anything else is a bug to deny.
 */
export function classifyAddress(ip: string): AddressClass {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) {
    return IPV4_RANGES[ipaddr.IPv4.parse(ip).range()] ?? 'reserved';
  }
  if (ip.includes(':') && ipaddr.IPv6.isValid(ip)) {
    const address = ipaddr.IPv6.parse(ip);
    const range = address.range();
    if (range !== 'unicast') return IPV6_RANGES[range] ?? 'reserved';
    if (address.match(IPV4_COMPATIBLE)) return 'ipv4-embedded';
    // Outside 2000::/3 nothing is allocated for global unicast.
    if (!address.match(IPV6_GLOBAL_UNICAST)) return 'reserved';
    return 'public';
  }
  return 'invalid';
}
