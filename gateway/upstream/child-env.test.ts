import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env.ts';
import { createStderrRing, redactValues } from './stderr-ring.ts';

describe('childEnv', () => {
  const parent = {
    PATH: '/usr/bin',
    HOME: '/home/me',
    AWS_SECRET_ACCESS_KEY: 'gateway-secret',
    AIRLOCK_VAULT_TOKEN: 'vault-token',
    TERM: '() { :; }; echo pwned',
  };

  it('passes only the basics from the gateway plus the resolved env', () => {
    expect(childEnv({ API_KEY: 'k' }, parent)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      API_KEY: 'k',
    });
  });

  it("lets the server's own env override an inherited basic", () => {
    expect(childEnv({ PATH: '/opt/bin' }, parent).PATH).toBe('/opt/bin');
  });

  it('never passes an exported shell function', () => {
    expect(childEnv({}, parent)).not.toHaveProperty('TERM');
  });
});

describe('stderr ring', () => {
  it('keeps the last lines only, joining chunks split mid-line', () => {
    const ring = createStderrRing(2);
    expect(ring.push('one\ntw')).toEqual(['one']);
    expect(ring.push('o\nthree\nfour')).toEqual(['two', 'three']);
    expect(ring.lines()).toEqual(['three', 'four']);
  });

  it('redacts known secret values from what it keeps', () => {
    const ring = createStderrRing(4, ['s3cr3t-token']);
    ring.push('auth failed for s3cr3t-token\n');
    expect(ring.lines()).toEqual(['auth failed for [redacted]']);
  });

  it('does not redact values too short to be secrets', () => {
    expect(redactValues('a 1 b', ['1'])).toBe('a 1 b');
  });
});
