// The address guard's decisions (allowed AND reason) over allow lists, own listeners and embeddings. Pure.
import { describe, expect, it } from 'vitest';
import { compileAddressPolicy } from './address-policy.ts';
import { EgressConfigError } from './errors.ts';

const ALLOW = [
  '127.0.0.2',
  '127.0.1.0/24',
  '127.0.0.3:8443',
  '127.0.2.0/24:9000',
  '::1',
  '[fd00::5]:443',
  '[fd00::/120]:8080',
];

function policy(own: { ip: string; port: number }[] = [], localAddresses: string[] = []) {
  return compileAddressPolicy({
    allowAddresses: ALLOW,
    ownAddresses: () => own,
    localAddresses: () => localAddresses,
  });
}

describe('compileAddressPolicy: check', () => {
  const cases: [ip: string, port: number, allowed: boolean, klass: string, reason: RegExp][] = [
    ['8.8.8.8', 443, true, 'public', /8\.8\.8\.8 is a public address/],
    ['2606:4700::1', 443, true, 'public', /public address/],
    [
      '127.0.0.1',
      80,
      false,
      'loopback',
      /loopback address and not listed in egress\.allowAddresses/,
    ],
    ['127.0.0.2', 80, true, 'loopback', /listed in egress\.allowAddresses \(127\.0\.0\.2\)/],
    ['127.0.1.77', 1234, true, 'loopback', /\(127\.0\.1\.0\/24\)/],
    ['127.0.0.3', 8443, true, 'loopback', /\(127\.0\.0\.3:8443\)/],
    ['127.0.0.3', 443, false, 'loopback', /not listed/],
    ['127.0.2.9', 9000, true, 'loopback', /\(127\.0\.2\.0\/24:9000\)/],
    ['127.0.2.9', 9001, false, 'loopback', /not listed/],
    ['::1', 80, true, 'loopback', /\(::1\)/],
    ['0:0:0:0:0:0:0:1', 80, true, 'loopback', /\(::1\)/],
    ['fd00::5', 443, true, 'private', /\(\[fd00::5\]:443\)/],
    ['fd00::5', 80, false, 'private', /private address and not listed/],
    ['fd00::ff', 8080, true, 'private', /\[fd00::\/120\]:8080/],
    ['fd00::1ff', 8080, false, 'private', /not listed/],
    // An IPv4 entry does not admit the same address in an IPv6 embedding, nor the reverse.
    ['::ffff:127.0.0.2', 80, false, 'ipv4-embedded', /ipv4-embedded address and not listed/],
    ['::ffff:7f00:2', 80, false, 'ipv4-embedded', /not listed/],
    ['::127.0.0.2', 80, false, 'ipv4-embedded', /not listed/],
    ['10.0.0.1', 80, false, 'private', /private address/],
    ['169.254.169.254', 80, false, 'link-local', /link-local address/],
    ['100.64.0.1', 80, false, 'cgnat', /cgnat address/],
    ['224.0.0.1', 80, false, 'multicast', /multicast address/],
    ['255.255.255.255', 80, false, 'broadcast', /broadcast address/],
    ['0.0.0.0', 80, false, 'unspecified', /unspecified address/],
    ['192.0.2.1', 80, false, 'reserved', /reserved address/],
    ['127.1', 80, false, 'invalid', /127\.1 is not an IP address/],
  ];
  it.each(cases)('%s port %d → allowed %s (%s)', (ip, port, allowed, klass, reason) => {
    const verdict = policy().check(ip, port);
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.class).toBe(klass);
    expect(verdict.reason).toMatch(reason);
  });
});

describe('compileAddressPolicy: own listening addresses', () => {
  it('denies the egress own address even when allowAddresses lists it', () => {
    const verdict = policy([{ ip: '127.0.0.2', port: 8080 }]).check('127.0.0.2', 8080);
    expect(verdict).toEqual({
      allowed: false,
      class: 'loopback',
      reason: "127.0.0.2 port 8080 is the egress's own listening address",
    });
  });

  it('allows the same address on another port when listed', () => {
    expect(policy([{ ip: '127.0.0.2', port: 8080 }]).check('127.0.0.2', 8081).allowed).toBe(true);
  });

  it('denies an own address written as an IPv4-mapped IPv6 address', () => {
    const own = compileAddressPolicy({
      allowAddresses: ['::ffff:127.0.0.2'],
      ownAddresses: () => [{ ip: '127.0.0.2', port: 8080 }],
      localAddresses: () => [],
    });
    expect(own.check('::ffff:127.0.0.2', 8080)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/own listening address/),
    });
    expect(own.check('::ffff:127.0.0.2', 8081).allowed).toBe(true);
  });

  it('treats a 0.0.0.0 listener as every loopback and interface address on that port', () => {
    const wildcard = policy([{ ip: '0.0.0.0', port: 3128 }], ['127.0.0.1', '203.0.113.50']);
    expect(wildcard.check('127.0.1.5', 3128).allowed).toBe(false);
    expect(wildcard.check('::1', 3128).allowed).toBe(false);
    expect(wildcard.check('203.0.113.50', 3128).reason).toMatch(/own listening address/);
    expect(wildcard.check('127.0.1.5', 3129).allowed).toBe(true);
  });

  it('treats a :: listener like 0.0.0.0', () => {
    const wildcard = policy([{ ip: '::', port: 3128 }], ['8.8.4.4']);
    expect(wildcard.check('8.8.4.4', 3128).reason).toMatch(/own listening address/);
    expect(wildcard.check('8.8.8.8', 3128).allowed).toBe(true);
  });

  it('reads own addresses at each check (listeners bind after compiling)', () => {
    const own: { ip: string; port: number }[] = [];
    const late = policy(own);
    expect(late.check('127.0.0.2', 41000).allowed).toBe(true);
    own.push({ ip: '127.0.0.2', port: 41000 });
    expect(late.check('127.0.0.2', 41000).allowed).toBe(false);
  });
});

describe('compileAddressPolicy: allowAddresses entries', () => {
  it.each([
    ['127.0.0.1'],
    ['127.0.0.0/8'],
    ['127.0.0.1:8443'],
    ['127.0.0.0/8:8443'],
    ['::1'],
    ['::1/128'],
    ['[::1]'],
    ['[::1]:8443'],
    ['[::1/128]:8443'],
  ])('accepts %s', (entry) => {
    expect(() =>
      compileAddressPolicy({ allowAddresses: [entry], ownAddresses: () => [] }),
    ).not.toThrow();
  });

  it.each([
    ['localhost', /is not an IP address or CIDR range/],
    ['127.1', /is not an IP address or CIDR range/],
    ['0x7f000001', /is not an IP address or CIDR range/],
    ['127.0.0.0/33', /bad prefix length/],
    ['::1/129', /bad prefix length/],
    ['127.0.0.1:0', /bad port "0"/],
    ['127.0.0.1:65536', /bad port "65536"/],
    ['127.0.0.1:', /bad port ""/],
    ['127.0.0.1:http', /bad port "http"/],
    ['[127.0.0.1]:80', /brackets are only for IPv6/],
    ['[::1]:99999', /bad port "99999"/],
    ['fe80::1%eth0', /is not an IP address or CIDR range/],
    ['', /is not an IP address or CIDR range/],
  ])('refuses %j with an EgressConfigError naming the entry', (entry, message) => {
    let thrown: unknown;
    try {
      compileAddressPolicy({ allowAddresses: [entry], ownAddresses: () => [] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EgressConfigError);
    const error = thrown as EgressConfigError;
    expect(error.code).toBe('EGRESS_CONFIG_INVALID');
    expect(error.field).toBe('egress.allowAddresses');
    expect(error.entry).toBe(entry);
    expect(error.message).toContain(JSON.stringify(entry));
    expect(error.message).toMatch(message);
  });
});
