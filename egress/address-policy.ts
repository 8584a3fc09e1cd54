// The address guard: may the egress dial this ip:port? Compiled once from egress.allowAddresses.
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { type AddressClass, classifyAddress } from './address-class.ts';
import { EgressConfigError } from './errors.ts';

export type AddressVerdict =
  | { allowed: true; class: AddressClass; reason: string }
  | { allowed: false; class: AddressClass; reason: string };

export interface AddressPolicy {
  check(ip: string, port: number): AddressVerdict;
}

export interface AddressPolicyOptions {
  /** `egress.allowAddresses`: IP or CIDR, optional port (`127.0.0.0/8:8443`, `[::1/128]:8443`). */
  readonly allowAddresses: readonly string[];
  /** The proxy's own listeners, read at each check because ports are bound after compiling. */
  readonly ownAddresses: () => readonly { ip: string; port: number }[];
  /** This machine's interface addresses, for listeners on 0.0.0.0/::; defaults to os.networkInterfaces(). */
  readonly localAddresses?: () => readonly string[];
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

interface AllowEntry {
  readonly written: string;
  readonly network: [Address, number];
  readonly port: number | undefined;
}

const FIELD = 'egress.allowAddresses';

/** What is static about one ip:port under one compiled policy; the own-address check stays live. */
interface StaticFacts {
  readonly addressClass: AddressClass;
  readonly address: Address | undefined;
  readonly entry: AllowEntry | undefined;
}

/** Distinct ip:port pairs remembered per compiled policy; a proxy dials few, and the map is dropped when full. */
const FACTS_LIMIT = 4096;

export function compileAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const entries = options.allowAddresses.map(compileEntry);
  const localAddresses = options.localAddresses ?? machineAddresses;
  // Parsing and classifying an address is a pure function of the text and the compiled list: done
  // once per ip:port. The verdict itself is still made at every check (own addresses can change).
  const known = new Map<string, StaticFacts>();
  const factsOf = (ip: string, port: number): StaticFacts => {
    const key = `${ip} ${port}`;
    let facts = known.get(key);
    if (facts === undefined) {
      const addressClass = classifyAddress(ip);
      const address = addressClass === 'invalid' ? undefined : ipaddr.parse(ip);
      const entry = address && entries.find((candidate) => entryMatches(candidate, address, port));
      facts = { addressClass, address, entry };
      if (known.size >= FACTS_LIMIT) known.clear();
      known.set(key, facts);
    }
    return facts;
  };
  return {
    check(ip, port) {
      const { addressClass, address, entry } = factsOf(ip, port);
      if (address === undefined) {
        return { allowed: false, class: addressClass, reason: `${ip} is not an IP address` };
      }
      // Checked before the allow list: an allow-listed range must never loop back into the proxy.
      if (isOwnAddress(address, port, options.ownAddresses(), localAddresses)) {
        return {
          allowed: false,
          class: addressClass,
          reason: `${ip} port ${port} is the egress's own listening address`,
        };
      }
      if (entry) {
        return {
          allowed: true,
          class: addressClass,
          reason: `${ip} port ${port} is listed in ${FIELD} (${entry.written})`,
        };
      }
      if (addressClass === 'public') {
        return { allowed: true, class: addressClass, reason: `${ip} is a public address` };
      }
      return {
        allowed: false,
        class: addressClass,
        reason: `${ip} is a ${addressClass} address and not listed in ${FIELD}`,
      };
    },
  };
}

/**
 * Kinds are compared as written: `127.0.0.0/8` does not admit `::ffff:127.0.0.1`. An address in
 * an embedding form is a different route to reason about, so it must be listed in that form.
 */
function entryMatches(entry: AllowEntry, address: Address, port: number): boolean {
  if (entry.port !== undefined && entry.port !== port) return false;
  const [network, bits] = entry.network;
  if (network.kind() !== address.kind()) return false;
  return address.match(network, bits);
}

/** Own addresses compare on the unwrapped IPv4 of a mapped address: denying more is safe. */
function isOwnAddress(
  address: Address,
  port: number,
  own: readonly { ip: string; port: number }[],
  localAddresses: () => readonly string[],
): boolean {
  let target: string | undefined;
  for (const listener of own) {
    if (listener.port !== port || !ipaddr.isValid(listener.ip)) continue;
    target ??= unwrapMapped(address).toNormalizedString();
    const bound = unwrapMapped(ipaddr.parse(listener.ip));
    if (bound.range() === 'unspecified') {
      // A wildcard listener answers on loopback, on the wildcard itself and on every interface.
      const unwrapped = unwrapMapped(address);
      const range = unwrapped.range();
      if (range === 'loopback' || range === 'unspecified') return true;
      const local = localAddresses().filter((ip) => ipaddr.isValid(ip));
      if (local.some((ip) => unwrapMapped(ipaddr.parse(ip)).toNormalizedString() === target)) {
        return true;
      }
    } else if (bound.toNormalizedString() === target) {
      return true;
    }
  }
  return false;
}

function unwrapMapped(address: Address): Address {
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) {
    return address.toIPv4Address();
  }
  return address;
}

function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((info) => info.address.split('%')[0] ?? info.address),
  );
}

/** `ADDR`, `ADDR/BITS`, `ADDR:PORT`, `ADDR/BITS:PORT`; IPv6 with a port is bracketed. */
function compileEntry(written: string): AllowEntry {
  let addressPart = written.trim();
  let portPart: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(addressPart);
  if (bracketed) {
    addressPart = bracketed[1] ?? '';
    portPart = bracketed[2];
    if (!addressPart.includes(':')) {
      throw new EgressConfigError(FIELD, written, 'brackets are only for IPv6 addresses');
    }
  } else if (addressPart.split(':').length === 2) {
    // Exactly one colon: IPv4 (or IPv4 CIDR) with a port.
    const colon = addressPart.indexOf(':');
    portPart = addressPart.slice(colon + 1);
    addressPart = addressPart.slice(0, colon);
  }
  const port = portPart === undefined ? undefined : compilePort(written, portPart);
  return { written, network: compileNetwork(written, addressPart), port };
}

function compilePort(written: string, text: string): number {
  const port = /^[1-9][0-9]{0,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new EgressConfigError(FIELD, written, `has a bad port ${JSON.stringify(text)} (1-65535)`);
  }
  return port;
}

function compileNetwork(written: string, text: string): [Address, number] {
  const isCidr = text.includes('/');
  const ipPart = isCidr ? text.slice(0, text.indexOf('/')) : text;
  // Only unambiguous spellings: `127.1` or `0x7f.0.0.1` in a security list is a mistake.
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(ipPart);
  const v6 = ipPart.includes(':') && ipaddr.IPv6.isValid(ipPart) && !ipPart.includes('%');
  if (!v4 && !v6) {
    throw new EgressConfigError(FIELD, written, 'is not an IP address or CIDR range');
  }
  if (!isCidr) {
    const address = ipaddr.parse(ipPart);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  try {
    const [network, bits] = ipaddr.parseCIDR(text);
    return [network, bits];
  } catch {
    throw new EgressConfigError(FIELD, written, 'has a bad prefix length');
  }
}
