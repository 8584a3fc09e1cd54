// Which provider a host belongs to: its registrable domain, so telemetry rolls up per company, not per host.
import { isIP } from 'node:net';
import { getDomain } from 'tldts';

/** Hosts seen recently → their provider; a proxy talks to few hosts, so a small cache answers nearly always. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 4096;

/**
 * `api.slack.com` → `slack.com`, `a.b.example.co.uk` → `example.co.uk`.
 * IP addresses, single labels (`localhost`) and bare public suffixes (`co.uk`) are their own provider.
 * Only ICANN suffixes count: `bucket.s3.amazonaws.com` is `amazonaws.com`, not the customer's bucket,
 * because the provider is who runs the service.
 */
export function providerOf(host: string): string {
  const cached = cache.get(host);
  if (cached !== undefined) return cached;
  const provider = lookupProvider(host);
  // Dropping everything when full keeps the cache bounded without LRU bookkeeping on the hot path.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(host, provider);
  return provider;
}

function lookupProvider(host: string): string {
  const name = normaliseForLookup(host);
  // net.isIP is a plain check; ipaddr.js's isValid throws and catches internally for every name.
  if (name === '' || isIP(name) !== 0) return name;
  return getDomain(name, { allowPrivateDomains: false, detectIp: true }) ?? name;
}

// Hosts reach us normalised already; stay correct when they do not (brackets, case, a trailing dot).
function normaliseForLookup(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  while (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}
