// Per-server proxy identity: tokens, Proxy-Authorization parsing (decision AND reason), and the secret file.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EgressSecretError } from './errors.ts';
import {
  identifyProxyAuthorization,
  identityToken,
  loadOrCreateEgressSecret,
  proxyAuthorizationFor,
} from './identity.ts';

const SECRET = new Uint8Array(32).fill(7);
const OTHER_SECRET = new Uint8Array(32).fill(9);
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('identityToken', () => {
  it('is a 43-character base64url HMAC that depends on name and secret', () => {
    const token = identityToken(SECRET, 'slack');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(identityToken(SECRET, 'slack')).toBe(token);
    expect(identityToken(SECRET, 'github')).not.toBe(token);
    expect(identityToken(OTHER_SECRET, 'slack')).not.toBe(token);
  });

  it('builds the Basic value a client sends', () => {
    const value = proxyAuthorizationFor(SECRET, 'slack');
    expect(value).toBe(basic(`slack:${identityToken(SECRET, 'slack')}`));
    expect(() => proxyAuthorizationFor(SECRET, 'bad name')).toThrow(/invalid server name/);
  });
});

describe('identifyProxyAuthorization', () => {
  const token = identityToken(SECRET, 'slack');
  const cases: [label: string, header: string | undefined, expected: object][] = [
    [
      'accepts the issued credentials',
      proxyAuthorizationFor(SECRET, 'slack'),
      { ok: true, server: 'slack' },
    ],
    [
      'accepts a lower-case scheme',
      `basic ${Buffer.from(`slack:${token}`).toString('base64')}`,
      { ok: true, server: 'slack' },
    ],
    ['refuses a missing header', undefined, { ok: false, reason: 'no Proxy-Authorization header' }],
    ['refuses an empty header', '  ', { ok: false, reason: 'no Proxy-Authorization header' }],
    [
      'refuses a Bearer token',
      `Bearer ${token}`,
      { ok: false, reason: 'Proxy-Authorization is not Basic credentials' },
    ],
    [
      'refuses bad base64',
      'Basic !!!',
      { ok: false, reason: 'Proxy-Authorization is not Basic credentials' },
    ],
    [
      'refuses credentials without a colon',
      basic('slack'),
      { ok: false, reason: 'Basic credentials have no server:token form' },
    ],
    [
      'refuses an invalid server name',
      basic(`sl ack:${token}`),
      { ok: false, reason: 'Basic credentials do not name a valid server' },
    ],
    [
      'refuses an empty server name',
      basic(`:${token}`),
      { ok: false, reason: 'Basic credentials do not name a valid server' },
    ],
    [
      'refuses another server’s token',
      basic(`github:${token}`),
      { ok: false, reason: 'wrong token for server github' },
    ],
    [
      'refuses a token from another secret',
      proxyAuthorizationFor(OTHER_SECRET, 'slack'),
      { ok: false, reason: 'wrong token for server slack' },
    ],
    [
      'refuses a truncated token',
      basic(`slack:${token.slice(0, 42)}`),
      { ok: false, reason: 'wrong token for server slack' },
    ],
    [
      'refuses a token with extra text',
      basic(`slack:${token}x`),
      { ok: false, reason: 'wrong token for server slack' },
    ],
    [
      'refuses an empty token',
      basic('slack:'),
      { ok: false, reason: 'wrong token for server slack' },
    ],
  ];
  it.each(cases)('%s', (_label, header, expected) => {
    const result = identifyProxyAuthorization(header, SECRET);
    expect(result).toEqual(expected);
    if (!result.ok) expect(result.reason).not.toContain(token);
  });
});

describe('loadOrCreateEgressSecret', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-identity-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates 32 random bytes with mode 0600, then reads the same bytes back', () => {
    const dir = join(tempDir(), 'data');
    const created = loadOrCreateEgressSecret(dir);
    expect(created).toHaveLength(32);
    expect(statSync(join(dir, 'egress.key')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateEgressSecret(dir)).toEqual(created);
    expect(new Uint8Array(readFileSync(join(dir, 'egress.key')))).toEqual(created);
  });

  it('mints a different secret in another data dir', () => {
    expect(loadOrCreateEgressSecret(tempDir())).not.toEqual(loadOrCreateEgressSecret(tempDir()));
  });

  it.each([[0o640], [0o604], [0o644]])('refuses a key file with mode %o', (mode) => {
    const dir = tempDir();
    loadOrCreateEgressSecret(dir);
    chmodSync(join(dir, 'egress.key'), mode);
    expect(() => loadOrCreateEgressSecret(dir)).toThrow(EgressSecretError);
    expect(() => loadOrCreateEgressSecret(dir)).toThrow(/readable by group or others.*chmod 600/);
  });

  it('refuses a key file of the wrong length', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'egress.key'), 'short', { mode: 0o600 });
    expect(() => loadOrCreateEgressSecret(dir)).toThrow(/must hold 32 bytes, found 5/);
  });
});
