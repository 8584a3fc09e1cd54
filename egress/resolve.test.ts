// Resolution order (egress.hosts, IP literals, lookup) and the single-resolution address pick. No real DNS but localhost.
import { describe, expect, it } from 'vitest';
import { compileAddressPolicy } from './address-policy.ts';
import { EgressConfigError } from './errors.ts';
import { createResolver, type Lookup, pickAddress } from './resolve.ts';

/** A lookup that answers from a table and counts every question. */
function fakeLookup(answers: Record<string, readonly string[]>) {
  const asked: string[] = [];
  const lookup: Lookup = async (host) => {
    asked.push(host);
    const found = answers[host];
    if (!found)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
  return { lookup, asked };
}

const policy = compileAddressPolicy({
  allowAddresses: ['127.0.0.10', '127.0.0.11'],
  ownAddresses: () => [{ ip: '127.0.0.11', port: 8080 }],
});

describe('createResolver', () => {
  it('answers from egress.hosts before asking the lookup', async () => {
    const { lookup, asked } = fakeLookup({ 'api.example.com': ['8.8.8.8'] });
    const resolve = createResolver({ hosts: { 'api.example.com': ['127.0.0.10'] }, lookup });
    expect(await resolve('api.example.com')).toEqual(['127.0.0.10']);
    expect(asked).toEqual([]);
  });

  it('normalises egress.hosts names (case, trailing dot, IDN)', async () => {
    const { lookup } = fakeLookup({});
    const resolve = createResolver({
      hosts: { 'API.Example.COM.': ['127.0.0.10'], 'bücher.example': ['127.0.0.12'] },
      lookup,
    });
    expect(await resolve('api.example.com')).toEqual(['127.0.0.10']);
    expect(await resolve('xn--bcher-kva.example')).toEqual(['127.0.0.12']);
  });

  it('resolves an IP literal to itself without a lookup', async () => {
    const { lookup, asked } = fakeLookup({});
    const resolve = createResolver({ hosts: {}, lookup });
    expect(await resolve('127.0.0.10')).toEqual(['127.0.0.10']);
    expect(await resolve('::1')).toEqual(['::1']);
    expect(asked).toEqual([]);
  });

  it('reads a numeric spelling as its dotted quad, never through the lookup', async () => {
    const { lookup, asked } = fakeLookup({});
    const resolve = createResolver({ hosts: {}, lookup });
    expect(await resolve('127.1')).toEqual(['127.0.0.1']);
    expect(await resolve('0x7f000001')).toEqual(['127.0.0.1']);
    expect(asked).toEqual([]);
  });

  it('asks the lookup with the normalised name', async () => {
    const { lookup, asked } = fakeLookup({ 'api.example.com': ['8.8.8.8', '2606:4700::1'] });
    const resolve = createResolver({ hosts: {}, lookup });
    expect(await resolve('API.example.com.')).toEqual(['8.8.8.8', '2606:4700::1']);
    expect(asked).toEqual(['api.example.com']);
  });

  it('rejects a host that is not a host', async () => {
    const resolve = createResolver({ hosts: {}, lookup: fakeLookup({}).lookup });
    await expect(resolve('evil@api.example.com')).rejects.toThrow(/userinfo/);
  });

  it('uses the system resolver by default (localhost only)', async () => {
    const addresses = await createResolver({ hosts: {} })('localhost');
    expect(addresses.some((ip) => ip === '127.0.0.1' || ip === '::1')).toBe(true);
  });

  it.each([
    [{ 'bad host!': ['127.0.0.1'] }, /"bad host!" is not a host name/],
    [{ '127.0.0.1': ['127.0.0.1'] }, /"127\.0\.0\.1" is not a host name/],
    [{ 'a.example': [] }, /non-empty list of addresses/],
    [{ 'a.example': ['not-an-ip'] }, /maps to "not-an-ip", not an IP/],
    [{ 'a.example': ['127.1'] }, /maps to "127\.1", not an IP/],
  ])('refuses egress.hosts %j', (hosts, message) => {
    expect(() => createResolver({ hosts })).toThrow(EgressConfigError);
    expect(() => createResolver({ hosts })).toThrow(message);
  });
});

describe('pickAddress', () => {
  function resolverFor(answers: Record<string, readonly string[]>) {
    const fake = fakeLookup(answers);
    return { resolve: createResolver({ hosts: {}, lookup: fake.lookup }), asked: fake.asked };
  }

  it('returns the allowed address and its family', async () => {
    const { resolve } = resolverFor({ 'api.example.com': ['8.8.8.8'] });
    expect(await pickAddress('api.example.com', 443, resolve, policy)).toEqual({
      ok: true,
      ip: '8.8.8.8',
      family: 4,
    });
  });

  it('skips denied answers and returns the first that passed, resolving once', async () => {
    const { resolve, asked } = resolverFor({
      'mixed.example': ['127.0.0.2', '10.0.0.1', '127.0.0.10', '2606:4700::1'],
    });
    expect(await pickAddress('mixed.example', 80, resolve, policy)).toEqual({
      ok: true,
      ip: '127.0.0.10',
      family: 4,
    });
    expect(asked).toEqual(['mixed.example']);
  });

  it('returns an IPv6 answer with family 6', async () => {
    const { resolve } = resolverFor({ 'v6.example': ['::1', '2606:4700::1'] });
    expect(await pickAddress('v6.example', 443, resolve, policy)).toEqual({
      ok: true,
      ip: '2606:4700::1',
      family: 6,
    });
  });

  it('denies a name that resolves only to denied addresses, naming each class', async () => {
    const { resolve } = resolverFor({
      'api.x.com': ['127.0.0.2', '169.254.169.254', '::ffff:127.0.0.10'],
    });
    expect(await pickAddress('api.x.com', 443, resolve, policy)).toEqual({
      ok: false,
      reason:
        'api.x.com resolves only to denied addresses: 127.0.0.2 (loopback), 169.254.169.254 (link-local), ::ffff:127.0.0.10 (ipv4-embedded)',
      addressClass: 'loopback',
    });
  });

  it('denies an allow-listed address when it is the proxy itself', async () => {
    const { resolve } = resolverFor({ 'self.example': ['127.0.0.11'] });
    const picked = await pickAddress('self.example', 8080, resolve, policy);
    expect(picked).toEqual({
      ok: false,
      reason: 'self.example resolves only to denied addresses: 127.0.0.11 (loopback)',
      addressClass: 'loopback',
    });
  });

  it('reports a failed resolution as unresolved', async () => {
    const { resolve } = resolverFor({});
    expect(await pickAddress('nowhere.example', 443, resolve, policy)).toEqual({
      ok: false,
      reason: 'nowhere.example did not resolve (ENOTFOUND)',
      addressClass: 'unresolved',
    });
  });

  it('reports an empty answer as unresolved', async () => {
    const { resolve } = resolverFor({ 'empty.example': [] });
    expect(await pickAddress('empty.example', 443, resolve, policy)).toEqual({
      ok: false,
      reason: 'empty.example resolved to no address',
      addressClass: 'unresolved',
    });
  });
});
