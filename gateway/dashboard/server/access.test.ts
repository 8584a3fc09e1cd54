// Table tests for who may use the dashboard: decision and reason for Host, Origin and the admin token.
import { describe, expect, it } from 'vitest';
import { checkAccess, tokenRequired } from './access.ts';

const loopback = { listenHost: '127.0.0.1', allowedOrigins: [], adminToken: undefined };
const wide = { listenHost: '0.0.0.0', allowedOrigins: [], adminToken: 'tok-123' };

describe('checkAccess', () => {
  const cases: [
    string,
    Parameters<typeof checkAccess>[0],
    Parameters<typeof checkAccess>[1],
    boolean | number,
    string?,
  ][] = [
    ['allows loopback without a token', { host: '127.0.0.1:5173' }, loopback, true],
    ['allows localhost by name', { host: 'localhost:5173' }, loopback, true],
    [
      'denies a rebinding Host on loopback',
      { host: 'evil.example:5173' },
      loopback,
      403,
      "Host 'evil.example' is not this endpoint",
    ],
    ['denies a missing Host on loopback', {}, loopback, 403, 'missing Host header'],
    [
      'denies a foreign Origin',
      { host: '127.0.0.1', origin: 'https://evil.example' },
      loopback,
      403,
      "Origin 'https://evil.example' is not allowed",
    ],
    [
      'allows a loopback Origin',
      { host: '127.0.0.1', origin: 'http://127.0.0.1:5173' },
      loopback,
      true,
    ],
    [
      'denies beyond loopback without a token',
      { host: 'airlock.lan' },
      wide,
      401,
      'admin token required',
    ],
    [
      'denies a wrong token',
      { host: 'airlock.lan', authorization: 'Bearer nope' },
      wide,
      401,
      'admin token required',
    ],
    [
      'denies the token without the Bearer scheme',
      { host: 'airlock.lan', authorization: 'tok-123' },
      wide,
      401,
      'admin token required',
    ],
    [
      'allows the right token',
      { host: 'airlock.lan', authorization: 'Bearer tok-123' },
      wide,
      true,
    ],
    [
      'denies when no token is configured beyond loopback',
      { host: 'x' },
      { ...wide, adminToken: undefined },
      401,
      'no admin token is configured',
    ],
  ];
  for (const [name, headers, settings, expected, reason] of cases) {
    it(name, () => {
      const decision = checkAccess(headers, settings);
      if (expected === true) expect(decision).toEqual({ allow: true });
      else expect(decision).toEqual({ allow: false, status: expected, reason });
    });
  }

  it('requires a token only beyond loopback', () => {
    expect(tokenRequired('127.0.0.1')).toBe(false);
    expect(tokenRequired('::1')).toBe(false);
    expect(tokenRequired('localhost')).toBe(false);
    expect(tokenRequired('0.0.0.0')).toBe(true);
    expect(tokenRequired('10.0.0.5')).toBe(true);
  });
});
