// The provider of a host is its registrable domain; IPs, single labels and bare suffixes are their own.
import { describe, expect, it } from 'vitest';
import { providerOf } from './provider.ts';

describe('providerOf', () => {
  it.each([
    ['api.slack.com', 'slack.com', 'a subdomain rolls up to its registrable domain'],
    ['slack.com', 'slack.com', 'a registrable domain is its own provider'],
    ['a.b.example.co.uk', 'example.co.uk', 'multi-label public suffixes are honoured'],
    ['www.googleapis.com', 'googleapis.com', 'deep subdomains roll up'],
    ['bucket.s3.amazonaws.com', 'amazonaws.com', 'private suffixes do not split a provider'],
    ['someone.github.io', 'github.io', 'a private-suffix customer rolls up to the operator'],
    ['API.Slack.COM.', 'slack.com', 'case and a trailing dot do not make a new provider'],
    ['sub.xn--mnchen-3ya.de', 'xn--mnchen-3ya.de', 'punycode hosts roll up'],
    ['origin.test', 'origin.test', 'an unknown suffix counts as one label'],
    ['127.0.0.1', '127.0.0.1', 'an IPv4 address is its own provider'],
    ['10.0.0.7', '10.0.0.7', 'a private IPv4 address is its own provider'],
    ['::1', '::1', 'an IPv6 address is its own provider'],
    ['[2001:db8::1]', '2001:db8::1', 'a bracketed IPv6 address loses its brackets'],
    ['localhost', 'localhost', 'a single label is its own provider'],
    ['co.uk', 'co.uk', 'a bare public suffix is its own provider'],
    ['', '', 'an unparsable request has no provider'],
  ])('%s → %s (%s)', (host, provider) => {
    expect(providerOf(host)).toBe(provider);
  });
});
