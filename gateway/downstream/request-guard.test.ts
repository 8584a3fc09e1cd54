// Host and Origin decisions (DNS-rebinding protection), table-tested with decision and reason.
import { describe, expect, it } from 'vitest';
import {
  checkHost,
  checkOrigin,
  checkRequest,
  hostnameOfHostHeader,
  isLoopbackName,
} from './request-guard.ts';

const loopback = { listenHost: '127.0.0.1', allowedOrigins: ['https://app.example.com'] };

describe('checkHost', () => {
  it.each([
    ['127.0.0.1:9000', true, undefined],
    ['localhost:9000', true, undefined],
    ['LOCALHOST', true, undefined],
    ['localhost.:9000', true, undefined],
    ['[::1]:9000', true, undefined],
    ['127.8.9.10', true, undefined],
    ['tools.localhost:9000', true, undefined],
    ['evil.example:9000', false, "Host 'evil.example' is not this endpoint"],
    ['127.0.0.1.evil.example', false, "Host '127.0.0.1.evil.example' is not this endpoint"],
    ['10.0.0.5:9000', false, "Host '10.0.0.5' is not this endpoint"],
    ['user@127.0.0.1', false, 'malformed Host header'],
    ['', false, 'missing Host header'],
    [undefined, false, 'missing Host header'],
  ])('Host %j on a loopback listener → allow %s', (host, allow, reason) => {
    const decision = checkHost(host, loopback);
    expect(decision.allow).toBe(allow);
    if (!decision.allow) expect(decision.reason).toBe(reason);
  });

  it('accepts the bound address itself when bound beyond loopback', () => {
    expect(checkHost('10.0.0.5:9000', { ...loopback, listenHost: '10.0.0.5' }).allow).toBe(true);
    expect(checkHost('evil.example', { ...loopback, listenHost: '10.0.0.5' }).allow).toBe(false);
  });

  it('accepts any Host on a wildcard listener (auth is mandatory there)', () => {
    expect(checkHost('gateway.internal:9000', { ...loopback, listenHost: '0.0.0.0' }).allow).toBe(
      true,
    );
  });
});

describe('checkOrigin', () => {
  it.each([
    [undefined, true, undefined],
    ['http://localhost:6274', true, undefined],
    ['http://127.0.0.1:5173', true, undefined],
    ['http://[::1]:3000', true, undefined],
    ['https://app.example.com', true, undefined],
    ['https://evil.example', false, "Origin 'https://evil.example' is not allowed"],
    [
      'https://app.example.com.evil.example',
      false,
      "Origin 'https://app.example.com.evil.example' is not allowed",
    ],
    ['null', false, "Origin 'null' is not allowed"],
    ['file://localhost', false, "Origin 'file://localhost' is not allowed"],
  ])('Origin %j → allow %s', (origin, allow, reason) => {
    const decision = checkOrigin(origin, loopback);
    expect(decision.allow).toBe(allow);
    if (!decision.allow) expect(decision.reason).toBe(reason);
  });
});

describe('checkRequest', () => {
  it('checks Host before Origin', () => {
    const decision = checkRequest(
      { host: 'evil.example', origin: 'https://evil.example' },
      loopback,
    );
    expect(decision).toEqual({
      allow: false,
      status: 403,
      reason: "Host 'evil.example' is not this endpoint",
    });
  });
});

describe('names', () => {
  it('parses Host header values', () => {
    expect(hostnameOfHostHeader('[::1]:9000')).toBe('::1');
    expect(hostnameOfHostHeader('Example.COM.')).toBe('example.com');
    expect(hostnameOfHostHeader('a/b')).toBeUndefined();
  });
  it('knows loopback names', () => {
    expect(['localhost', '127.0.0.1', '::1', '[::1]'].every(isLoopbackName)).toBe(true);
    expect(
      ['0.0.0.0', '128.0.0.1', 'localhost.evil', '::ffff:127.0.0.1'].some(isLoopbackName),
    ).toBe(false);
  });
});
