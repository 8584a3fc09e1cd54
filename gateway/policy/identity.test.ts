// Identity order (key → tag → client name → default) and every 401/403 path; messages never carry a key.
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../config/api-keys.ts';
import type { AuthConfig } from '../config/types.ts';
import { type IdentityInput, type IdentityResult, resolveIdentity } from './identity.ts';

const ENG_KEY = 'alk_eng-agent-secret-key';
const CS_KEY = 'alk_cs-agent-secret-key';
const UNKNOWN_KEY = 'alk_not-a-key-anyone-minted';
const KEYS = { 'eng-agent': hashApiKey(ENG_KEY), 'cs-agent': hashApiKey(CS_KEY) };

const authOn: AuthConfig = { enabled: true, header: 'x-api-key', keys: KEYS };
const authOff: AuthConfig = { enabled: false, header: 'x-api-key', keys: KEYS };

type Case = [label: string, input: IdentityInput, expected: IdentityResult];

const ok = (consumer: string, source: string) => ({ ok: true, consumer, source }) as IdentityResult;
const fail = (status: 401 | 403, message: string) =>
  ({ ok: false, status, message }) as IdentityResult;
const KEY_REQUIRED =
  'API key required: send it in x-lunar-api-key or x-api-key, or as Authorization: Bearer';

const cases: Case[] = [
  [
    'maps x-lunar-api-key to its consumer',
    { headers: { 'x-lunar-api-key': ENG_KEY }, auth: authOn },
    ok('eng-agent', 'api-key'),
  ],
  [
    'maps the configured key header to its consumer',
    { headers: { 'x-api-key': CS_KEY }, auth: authOn },
    ok('cs-agent', 'api-key'),
  ],
  [
    'reads the configured header case-insensitively',
    { headers: { 'X-Api-Key': CS_KEY }, auth: { ...authOn, header: 'X-API-KEY' } },
    ok('cs-agent', 'api-key'),
  ],
  [
    'maps Authorization: Bearer to its consumer',
    { headers: { authorization: `Bearer ${ENG_KEY}` }, auth: authOn },
    ok('eng-agent', 'api-key'),
  ],
  [
    'accepts a lower-case bearer scheme',
    { headers: { authorization: `bearer ${ENG_KEY}` }, auth: authOn },
    ok('eng-agent', 'api-key'),
  ],
  [
    'trims spaces around a key',
    { headers: { 'x-lunar-api-key': `  ${ENG_KEY} ` }, auth: authOn },
    ok('eng-agent', 'api-key'),
  ],
  [
    'prefers x-lunar-api-key over the other key headers',
    {
      headers: {
        'x-lunar-api-key': ENG_KEY,
        'x-api-key': CS_KEY,
        authorization: `Bearer ${CS_KEY}`,
      },
      auth: authOn,
    },
    ok('eng-agent', 'api-key'),
  ],
  [
    'prefers the configured header over Authorization',
    { headers: { 'x-api-key': CS_KEY, authorization: `Bearer ${ENG_KEY}` }, auth: authOn },
    ok('cs-agent', 'api-key'),
  ],
  [
    'never lets a consumer tag override the key’s consumer',
    {
      headers: { 'x-lunar-api-key': CS_KEY, 'x-lunar-consumer-tag': 'eng-agent' },
      auth: authOn,
      clientName: 'eng-agent',
    },
    ok('cs-agent', 'api-key'),
  ],
  [
    'accepts a repeated key header whose copies agree',
    { headers: { 'x-lunar-api-key': [ENG_KEY, ENG_KEY] }, auth: authOn },
    ok('eng-agent', 'api-key'),
  ],
  [
    'refuses a request without a key when auth is on (401)',
    { headers: {}, auth: authOn },
    fail(401, KEY_REQUIRED),
  ],
  [
    'refuses an empty key header when auth is on (401)',
    { headers: { 'x-lunar-api-key': '  ' }, auth: authOn },
    fail(401, KEY_REQUIRED),
  ],
  [
    'does not take a consumer tag instead of a key when auth is on (401)',
    { headers: { 'x-lunar-consumer-tag': 'eng-agent' }, auth: authOn, clientName: 'claude-code' },
    fail(401, KEY_REQUIRED),
  ],
  [
    'does not read Basic credentials as a key (401)',
    {
      headers: { authorization: `Basic ${Buffer.from(`u:${ENG_KEY}`).toString('base64')}` },
      auth: authOn,
    },
    fail(401, KEY_REQUIRED),
  ],
  [
    'does not read a bare Authorization value as a key (401)',
    { headers: { authorization: ENG_KEY }, auth: authOn },
    fail(401, KEY_REQUIRED),
  ],
  [
    'refuses an unknown key (403)',
    { headers: { 'x-lunar-api-key': UNKNOWN_KEY }, auth: authOn },
    fail(403, 'API key not recognised'),
  ],
  [
    'refuses an unknown Bearer key (403)',
    { headers: { authorization: `Bearer ${UNKNOWN_KEY}` }, auth: authOn },
    fail(403, 'API key not recognised'),
  ],
  [
    'refuses an unknown key even with a valid key in a later header (403)',
    {
      headers: { 'x-lunar-api-key': UNKNOWN_KEY, authorization: `Bearer ${ENG_KEY}` },
      auth: authOn,
    },
    fail(403, 'API key not recognised'),
  ],
  [
    'refuses a stored hash presented as the key (403)',
    { headers: { 'x-lunar-api-key': hashApiKey(ENG_KEY) }, auth: authOn },
    fail(403, 'API key not recognised'),
  ],
  [
    'refuses two different keys in one repeated header (403)',
    { headers: { 'x-lunar-api-key': [ENG_KEY, CS_KEY] }, auth: authOn },
    fail(403, 'more than one API key presented in x-lunar-api-key'),
  ],
  [
    'refuses the same header sent under two spellings with different keys (403)',
    { headers: { 'x-lunar-api-key': ENG_KEY, 'X-Lunar-Api-Key': CS_KEY }, auth: authOn },
    fail(403, 'more than one API key presented in x-lunar-api-key'),
  ],
  [
    'refuses an unknown key even when auth is off (403)',
    {
      headers: { 'x-lunar-api-key': UNKNOWN_KEY, 'x-lunar-consumer-tag': 'eng-agent' },
      auth: authOff,
    },
    fail(403, 'API key not recognised'),
  ],
  [
    'maps a known key to its consumer when auth is off',
    {
      headers: { authorization: `Bearer ${CS_KEY}`, 'x-lunar-consumer-tag': 'eng-agent' },
      auth: authOff,
    },
    ok('cs-agent', 'api-key'),
  ],
  [
    'takes the consumer tag when auth is off and no key is sent',
    {
      headers: { 'x-lunar-consumer-tag': 'Claude Code (eng)' },
      auth: authOff,
      clientName: 'claude-code',
    },
    ok('Claude Code (eng)', 'consumer-tag'),
  ],
  [
    'refuses two different consumer tags (403)',
    { headers: { 'x-lunar-consumer-tag': ['a', 'b'] }, auth: authOff },
    fail(403, 'more than one x-lunar-consumer-tag presented'),
  ],
  [
    'refuses a consumer tag longer than 128 characters (403)',
    { headers: { 'x-lunar-consumer-tag': 'x'.repeat(129) }, auth: authOff },
    fail(403, 'x-lunar-consumer-tag is longer than 128 characters'),
  ],
  [
    'takes the client name when there is no key or tag',
    { headers: {}, auth: authOff, clientName: 'claude-code' },
    ok('claude-code', 'client-name'),
  ],
  [
    'skips an empty consumer tag',
    { headers: { 'x-lunar-consumer-tag': ' ' }, auth: authOff, clientName: 'inspector' },
    ok('inspector', 'client-name'),
  ],
  [
    'falls back to default without a client name',
    { headers: {}, auth: authOff },
    ok('default', 'default'),
  ],
  [
    'falls back to default for a blank client name',
    { headers: {}, auth: authOff, clientName: '  ' },
    ok('default', 'default'),
  ],
  [
    'falls back to default for an overlong client name',
    { headers: {}, auth: authOff, clientName: 'c'.repeat(129) },
    ok('default', 'default'),
  ],
  [
    'ignores Authorization when the configured header is Authorization itself',
    { headers: { authorization: ENG_KEY }, auth: { ...authOff, header: 'Authorization' } },
    ok('default', 'default'),
  ],
];

describe('resolveIdentity', () => {
  it.each(cases)('%s', (_label, input, expected) => {
    expect(resolveIdentity(input)).toEqual(expected);
  });

  it('never puts a presented key in a refusal message', () => {
    const keys = [ENG_KEY, CS_KEY, UNKNOWN_KEY];
    for (const [, input] of cases) {
      const result = resolveIdentity(input);
      if (result.ok) continue;
      for (const key of keys) expect(result.message).not.toContain(key);
      expect(result.message).not.toContain('alk_');
    }
    expect(cases.filter(([, input]) => !resolveIdentity(input).ok).length).toBeGreaterThan(10);
  });

  it('reports no key header the configured header duplicates', () => {
    const result = resolveIdentity({ headers: {}, auth: { ...authOn, header: 'x-lunar-api-key' } });
    expect(result).toEqual(
      fail(401, 'API key required: send it in x-lunar-api-key, or as Authorization: Bearer'),
    );
  });
});
