// Which provider a host belongs to: its registrable domain, so telemetry rolls up per company, not per host.
import ipaddr from 'ipaddr.js';
import { getDomain } from 'tldts';

/**
 * `api.slack.com` → `slack.com`, `a.b.example.co.uk` → `example.co.uk`.
 * IP addresses, single labels (`localhost`) and bare public suffixes (`co.uk`) are their own provider.
 * Only ICANN suffixes count: `bucket.s3.amazonaws.com` is `amazonaws.com`, not the customer's bucket,
 * because the provider is who runs the service.
 */
export function providerOf(host: string): string {
  const name = normaliseForLookup(host);
  if (name === '' || ipaddr.isValid(name)) return name;
  return getDomain(name, { allowPrivateDomains: false, detectIp: true }) ?? name;
}

// Hosts reach us normalised already; stay correct when they do not (brackets, case, a trailing dot).
function normaliseForLookup(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  while (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}
