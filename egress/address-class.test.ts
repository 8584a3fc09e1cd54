// Table test of the address classifier: every class, IPv4 and IPv6. Pure: nothing here is ever dialed.
import { describe, expect, it } from 'vitest';
import { type AddressClass, classifyAddress } from './address-class.ts';

const TABLE: readonly [ip: string, expected: AddressClass][] = [
  // public
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.216.34', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:80b::200e', 'public'],
  // loopback
  ['127.0.0.1', 'loopback'],
  ['127.0.0.2', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  // private
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private'],
  ['192.168.1.1', 'private'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fec0::1', 'private'],
  // link-local, with the cloud metadata address
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  // carrier-grade NAT
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.254', 'cgnat'],
  // multicast and broadcast
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  // unspecified ("this network")
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  // IPv6 forms that carry an IPv4 address
  ['::ffff:127.0.0.1', 'ipv4-embedded'],
  ['::ffff:7f00:1', 'ipv4-embedded'],
  ['::ffff:8.8.8.8', 'ipv4-embedded'],
  ['::127.0.0.1', 'ipv4-embedded'],
  ['::7f00:1', 'ipv4-embedded'],
  ['::ffff:0:7f00:1', 'ipv4-embedded'],
  ['64:ff9b::7f00:1', 'ipv4-embedded'],
  ['64:ff9b::a9fe:a9fe', 'ipv4-embedded'],
  ['64:ff9b:1::a00:1', 'ipv4-embedded'],
  ['2002:7f00:1::1', 'ipv4-embedded'],
  ['2002:a9fe:a9fe::', 'ipv4-embedded'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'ipv4-embedded'],
  // reserved, documentation and other special-purpose ranges
  ['192.0.2.1', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['100::1', 'reserved'],
  ['3fff::1', 'reserved'],
  ['4000::1', 'reserved'],
  // not a normalised address literal: denied as invalid, never guessed at
  ['127.1', 'invalid'],
  ['2130706433', 'invalid'],
  ['0x7f.0.0.1', 'invalid'],
  ['0177.0.0.1', 'invalid'],
  ['[::1]', 'invalid'],
  ['localhost', 'invalid'],
  ['', 'invalid'],
  ['127.0.0.1:80', 'invalid'],
  ['256.0.0.1', 'invalid'],
];

describe('classifyAddress', () => {
  it.each(TABLE)('classifies %s as %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it('covers every class in the table', () => {
    const classes = new Set(TABLE.map(([, expected]) => expected));
    expect(classes.size).toBe(11);
  });
});
