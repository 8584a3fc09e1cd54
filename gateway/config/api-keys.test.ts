// API keys: their shape, their stored hash, and matching a presented key to its consumer.
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, matchApiKey } from './api-keys.ts';

describe('API keys', () => {
  it('mints distinct alk_ keys of 32 random bytes', () => {
    const keys = new Set(Array.from({ length: 50 }, generateApiKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^alk_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes as sha256:<64 hex>, the SHA-256 of the key text', () => {
    expect(hashApiKey('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  const eng = generateApiKey();
  const cs = generateApiKey();
  const keys = { 'eng-agent': hashApiKey(eng), 'cs-agent': hashApiKey(cs), broken: 'sha256:zz' };

  it.each([
    { why: 'the eng key', presented: eng, consumer: 'eng-agent' },
    { why: 'the cs key', presented: cs, consumer: 'cs-agent' },
    { why: 'an unknown key', presented: generateApiKey(), consumer: undefined },
    { why: 'a stored hash presented as the key', presented: hashApiKey(eng), consumer: undefined },
    { why: 'an empty key', presented: '', consumer: undefined },
    { why: 'a malformed stored hash text', presented: 'sha256:zz', consumer: undefined },
  ])('matches $why to $consumer', ({ presented, consumer }) => {
    expect(matchApiKey(keys, presented)).toBe(consumer);
  });

  it('matches nothing when no keys exist', () => {
    expect(matchApiKey({}, eng)).toBeUndefined();
  });
});
