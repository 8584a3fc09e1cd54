// Listener addresses: parsing, and the refusal to listen beyond loopback without auth.
import { describe, expect, it } from 'vitest';
import { checkListenAllowed, httpUrl, parseListenAddress } from './listen-address.ts';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9000', { host: '127.0.0.1', port: 9000 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('parses %s', (text, value) => {
    expect(parseListenAddress(text)).toEqual({ ok: true, value });
  });
  it.each(['9000', '127.0.0.1', '127.0.0.1:99999', '::1:9000', 'host:port'])(
    'refuses %s',
    (text) => {
      expect(parseListenAddress(text).ok).toBe(false);
    },
  );
});

describe('checkListenAllowed', () => {
  it.each([
    ['127.0.0.1', false, undefined],
    ['::1', false, undefined],
    ['localhost', false, undefined],
    ['0.0.0.0', false, 'GATEWAY_LISTEN_REFUSED'],
    ['192.168.1.4', false, 'GATEWAY_LISTEN_REFUSED'],
    ['0.0.0.0', true, undefined],
  ])('%s with auth %s → %s', (host, auth, code) => {
    const refused = checkListenAllowed({ host, port: 9000 }, auth, 'the MCP endpoint');
    expect(refused?.code).toBe(code);
    if (refused) expect(refused.message).toContain('auth.enabled');
  });
});

it('writes IPv6 URLs with brackets', () => {
  expect(httpUrl({ host: '::1', port: 9000 })).toBe('http://[::1]:9000');
  expect(httpUrl({ host: '127.0.0.1', port: 9000 })).toBe('http://127.0.0.1:9000');
});
