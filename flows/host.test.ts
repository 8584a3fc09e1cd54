// Host normalisation: every spelling of one host must come out the same, and tricks must be refused.
import { describe, expect, it } from 'vitest';
import { normaliseHost } from './host.ts';

describe('normaliseHost', () => {
  it.each([
    ['lower-cases a name', 'API.Slack.COM', 'api.slack.com', 'name'],
    ['removes one trailing dot', 'api.slack.com.', 'api.slack.com', 'name'],
    ['turns an IDN into punycode', 'bücher.example', 'xn--bcher-kva.example', 'name'],
    ['keeps punycode as written', 'xn--bcher-kva.example', 'xn--bcher-kva.example', 'name'],
    ['keeps a Cyrillic look-alike apart as punycode', 'аpi.example', 'xn--pi-6kc.example', 'name'],
    ['folds full-width letters', 'ａｐｉ.example', 'api.example', 'name'],
    ['keeps a dotted quad', '127.0.0.1', '127.0.0.1', 'ipv4'],
    ['reads IPv4 as one decimal number', '2130706433', '127.0.0.1', 'ipv4'],
    ['reads IPv4 in octal', '0177.0.0.1', '127.0.0.1', 'ipv4'],
    ['reads IPv4 in hex', '0x7f.1', '127.0.0.1', 'ipv4'],
    ['reads IPv4 in mixed hex parts', '0x7f.0.0.0x1', '127.0.0.1', 'ipv4'],
    ['reads short IPv4', '127.1', '127.0.0.1', 'ipv4'],
    ['reads IPv4 as one hex number', '0x7f000001', '127.0.0.1', 'ipv4'],
    ['reads IPv4 as one octal number', '017700000001', '127.0.0.1', 'ipv4'],
    ['reads upper-case hex IPv4', '0X7F.0.0.1', '127.0.0.1', 'ipv4'],
    ['keeps a single-label name', 'LocalHost', 'localhost', 'name'],
    ['reads IPv4 with a trailing dot', '127.0.0.1.', '127.0.0.1', 'ipv4'],
    ['reads metadata IPv4 in decimal', '2852039166', '169.254.169.254', 'ipv4'],
    ['accepts bracketed IPv6', '[::1]', '::1', 'ipv6'],
    ['accepts bare IPv6', '::1', '::1', 'ipv6'],
    ['compresses IPv6', '[0:0:0:0:0:0:0:1]', '::1', 'ipv6'],
    ['lower-cases IPv6', '[FE80::ABCD]', 'fe80::abcd', 'ipv6'],
    ['writes IPv4-mapped IPv6 in hex', '[::ffff:127.0.0.1]', '::ffff:7f00:1', 'ipv6'],
    ['keeps mapped IPv6 written in hex', '::ffff:7f00:1', '::ffff:7f00:1', 'ipv6'],
    ['writes IPv4-compatible IPv6 in hex', '[::127.0.0.1]', '::7f00:1', 'ipv6'],
    ['expands nothing in NAT64 IPv6', '[64:ff9b::7f00:1]', '64:ff9b::7f00:1', 'ipv6'],
  ])('%s: %s → %s', (_what, raw, host, kind) => {
    expect(normaliseHost(raw)).toEqual({ ok: true, host, kind });
  });

  it.each([
    ['an empty host', '', /empty host/],
    ['a lone dot', '.', /empty host/],
    ['two dots', '..', /not a valid host|empty label/],
    ['an empty label', 'a..b', /empty label/],
    ['two trailing dots', 'example.com..', /empty label/],
    ['userinfo', 'user@example.com', /userinfo/],
    ['userinfo with password', 'u:p@example.com', /userinfo/],
    ['a port', 'example.com:80', /port is not part of the host/],
    ['a bracketed port', '[::1]:80', /port is not part of the host/],
    ['a path', 'example.com/x', /invalid character/],
    ['a backslash', 'example.com\\x', /invalid character/],
    ['percent-encoding', 'ex%61mple.com', /invalid character/],
    ['whitespace', 'exa mple.com', /invalid character/],
    ['an IPv4 part out of range', '1.2.3.256', /not a valid host/],
    ['a numeric last label that is no IPv4', 'foo.1', /not a valid host/],
    ['a wildcard', '*.example.com', /invalid label/],
    ['an IPv6 zone', '[fe80::1%25eth0]', /invalid IPv6/],
    ['a broken IPv6', '[::1::2]', /invalid IPv6/],
    ['a label over 63 characters', `${'a'.repeat(64)}.com`, /invalid label/],
  ])('refuses %s (%s)', (_what, raw, reason) => {
    const result = normaliseHost(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
