// Name → addresses, once per request: egress.hosts first, then DNS; and the pick of one address that passed the guard.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { normaliseHost } from '../flows/host.ts';
import type { AddressClass } from './address-class.ts';
import type { AddressPolicy } from './address-policy.ts';
import { EgressConfigError } from './errors.ts';

export type Lookup = (host: string) => Promise<readonly string[]>;
export type Resolve = (host: string) => Promise<readonly string[]>;

export type PickedAddress =
  | { ok: true; ip: string; family: 4 | 6 }
  | { ok: false; reason: string; addressClass: AddressClass | 'unresolved' };

export interface ResolverOptions {
  /** `egress.hosts`: name → addresses, consulted before DNS (tests and private providers). */
  readonly hosts: Readonly<Record<string, readonly string[]>>;
  /** Defaults to the system resolver (getaddrinfo), every answer in its order. */
  readonly lookup?: Lookup;
}

const FIELD = 'egress.hosts';

/** Compiles `egress.hosts` (throws EgressConfigError on a bad name or address) into a resolver. */
export function createResolver(options: ResolverOptions): Resolve {
  const hosts = compileHosts(options.hosts);
  const lookup = options.lookup ?? systemLookup;
  return async (host) => {
    // The proxy passes hosts it already normalised: a mapped name is found as it is, with no second pass.
    const mapped = hosts.get(host);
    if (mapped !== undefined) return mapped;
    if (isIP(host) !== 0) return [host];
    const normal = normaliseHost(host);
    if (!normal.ok) throw new Error(`cannot resolve ${JSON.stringify(host)}: ${normal.reason}`);
    // Numeric spellings (`127.1`) never reach getaddrinfo, which would read them its own way.
    if (normal.kind !== 'name') return [normal.host];
    return hosts.get(normal.host) ?? (await lookup(normal.host));
  };
}

/**
 * Resolves once and returns one address the policy admits; the caller dials exactly that
 * address and never resolves the name again (no second answer can slip past the guard).
 */
export async function pickAddress(
  host: string,
  port: number,
  resolve: Resolve,
  policy: AddressPolicy,
): Promise<PickedAddress> {
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ok: false, reason: `${host} did not resolve (${code})`, addressClass: 'unresolved' };
  }
  if (addresses.length === 0) {
    return { ok: false, reason: `${host} resolved to no address`, addressClass: 'unresolved' };
  }
  const denied: string[] = [];
  let firstClass: AddressClass | undefined;
  for (const ip of addresses) {
    const verdict = policy.check(ip, port);
    const family = isIP(ip);
    if (verdict.allowed && (family === 4 || family === 6)) return { ok: true, ip, family };
    denied.push(`${ip} (${verdict.class})`);
    firstClass ??= verdict.class;
  }
  return {
    ok: false,
    reason: `${host} resolves only to denied addresses: ${denied.join(', ')}`,
    addressClass: firstClass ?? 'invalid',
  };
}

async function systemLookup(host: string): Promise<readonly string[]> {
  const answers = await dnsLookup(host, { all: true, order: 'verbatim' });
  return answers.map((answer) => answer.address);
}

function compileHosts(
  hosts: Readonly<Record<string, readonly string[]>>,
): ReadonlyMap<string, readonly string[]> {
  const compiled = new Map<string, readonly string[]>();
  for (const [name, addresses] of Object.entries(hosts)) {
    const normal = normaliseHost(name);
    if (!normal.ok || normal.kind !== 'name') {
      throw new EgressConfigError(FIELD, name, 'is not a host name');
    }
    if (!Array.isArray(addresses) || addresses.length === 0) {
      throw new EgressConfigError(FIELD, name, 'must map to a non-empty list of addresses');
    }
    for (const address of addresses) {
      if (typeof address !== 'string' || isIP(address) === 0) {
        throw new EgressConfigError(FIELD, name, `maps to ${JSON.stringify(address)}, not an IP`);
      }
    }
    compiled.set(normal.host, [...addresses]);
  }
  return compiled;
}
