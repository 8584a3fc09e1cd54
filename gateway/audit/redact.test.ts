// Redaction of audited arguments: secret keys, secret-looking values, and the size cap, as tables of input → output.
import { describe, expect, it } from 'vitest';
import { capJson, REDACTED, redactArguments } from './redact.ts';
import { isHighEntropy, SECRET_PATTERNS } from './secret-values.ts';

// Built from parts so no scanner mistakes this file for a leak; none of these is a real credential.
const fake = {
  jwt: [
    'eyJhbGciOiJIUzI1NiJ9',
    'eyJzdWIiOiIxMjM0NTY3ODkwIn0',
    'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ].join('.'),
  openai: `sk-${'proj-'}Ab3dEf6hIj9kLm2nOp5qRs8tUv`,
  anthropic: `sk-${'ant-api03-'}Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1`,
  stripe: `sk_${'live_'}4eC39HqLyjWDarjtT1zdp7dc`,
  ghp: `ghp_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'}`,
  ghPat: `github_pat_${'11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'}`,
  slack: `xoxb-${'1234567890-0987654321-AbCdEfGhIjKl'}`,
  aws: `AKIA${'IOSFODNN7EXAMPLE'}`,
  google: `AIza${'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'}`,
  huggingFace: `hf_${'AbCdEfGhIjKlMnOpQrStUvWxYz0123456'}`,
  npm: `npm_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'}`,
  pem: `-----BEGIN ${'RSA PRIVATE KEY'}-----\nMIIEpAIBAAKCAQEA7x\n-----END RSA PRIVATE KEY-----`,
  random32: 'Qv7ZpK2mXr9TdL4wHs8NcY3bGf6JtR1k',
} as const;

const redact = (args: unknown) => JSON.parse(redactArguments(args) ?? 'null') as unknown;

describe('redactArguments: keys', () => {
  it.each([
    ['password', { password: 'hunter2' }],
    ['passwd, any case', { DB_PASSWD: 'hunter2' }],
    ['secret', { clientSecret: 'x' }],
    ['token', { refresh_token: 'x' }],
    ['api key, three spellings', { apiKey: 'x', 'api-key': 'y', api_key: 'z' }],
    ['authorization', { Authorization: 'x' }],
    ['auth', { auth: { user: 'a', pass: 'b' } }],
    ['cookie', { cookie: 'sid=1' }],
    ['session', { sessionKey: 'x' }],
    ['credential', { credentials: ['a', 'b'] }],
    ['private key', { private_key: 'x', privateKey: 'y' }],
    ['access key', { 'access-key': 'x', AccessKey: 'y' }],
    ['a number under a secret key', { otp_token: 123456 }],
  ])('redacts the value under a %s key whatever it holds', (_, args) => {
    const result = redact(args) as Record<string, unknown>;
    for (const key of Object.keys(args)) expect(result[key]).toBe(REDACTED);
  });

  it('redacts secret keys at any depth, inside arrays too, and keeps everything else', () => {
    expect(
      redact({ query: 'select 1', rows: 3, ok: true, none: null, deep: [{ x: { token: 't' } }] }),
    ).toEqual({
      query: 'select 1',
      rows: 3,
      ok: true,
      none: null,
      deep: [{ x: { token: REDACTED } }],
    });
  });
});

describe('redactArguments: values that look like secrets, whatever their key', () => {
  it.each(Object.entries(fake))('redacts a %s', (_, secret) => {
    expect(redact({ note: secret })).toEqual({ note: REDACTED });
  });

  it.each([
    ['a key inside a sentence', `use ${fake.openai} for this`, `use ${REDACTED} for this`],
    ['a bearer header value', 'Bearer abc.def-ghi_jkl', `Bearer ${REDACTED}`],
    ['a basic header value', 'Basic dXNlcjpwYXNz', `Basic ${REDACTED}`],
    [
      'the password of a connection URL',
      'postgres://admin:hunter2@db.internal:5432/app',
      `postgres://admin:${REDACTED}@db.internal:5432/app`,
    ],
    [
      'a token in a query string',
      'https://api.example.com/v1/items?access_token=abc123&limit=5',
      `https://api.example.com/v1/items?access_token=${REDACTED}&limit=5`,
    ],
    ['a signed URL', 'file:///x?sig=AbC%2B1&expires=9', `file:///x?sig=${REDACTED}&expires=9`],
    ['an unterminated PEM block', '-----BEGIN PRIVATE KEY-----\nMIIE', REDACTED],
  ])('redacts only the secret part of %s', (_, text, expected) => {
    expect(redact({ text })).toEqual({ text: expected });
  });

  it.each([
    ['a sentence', 'Please summarise the quarterly report for the board.'],
    ['a word that starts like a key', 'task-force-abcdefghijklmnopqrstuvwxyz'],
    ['a commit id', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['a long camel-case identifier', 'getUserRepositoriesByOrganizationName2'],
    ['a snake-case identifier', 'my_very_long_snake_case_variable_name_here_v2'],
    ['a path with long camel-case parts', 'src/components/HeaderNavigationBarWithSearch2.tsx'],
    ['a branch name', 'feature/ADD-1234-new-login-page-for-users'],
    ['a URL without a password', 'https://user@example.com/a/b?c=d'],
    ['a query string without secrets', 'https://example.com/search?q=monkey&page=2&keyword=x'],
    ['a short mixed string', 'Ab3dEf6h'],
  ])('keeps %s', (_, text) => {
    expect(redact({ text })).toEqual({ text });
  });

  it('names every pattern it applies', () => {
    expect(SECRET_PATTERNS.map((p) => p.name)).toEqual([
      'PEM block',
      'JWT',
      'OpenAI / Anthropic key (sk-)',
      'Stripe secret key',
      'GitHub token',
      'GitHub fine-grained token',
      'Hugging Face token',
      'npm token',
      'Slack token',
      'AWS access key id',
      'Google API key',
      'Authorization scheme',
      'secret query parameter',
      'password in a URL',
    ]);
  });

  it.each([
    ['random base62, 32 characters', fake.random32, true],
    ['hex only', 'ffffffffffffffffffffffffffffffffffffffff', false],
    ['one character class', 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ', false],
    ['31 characters', fake.random32.slice(1), false],
  ])('entropy test: %s → %s', (_, run, expected) => {
    expect(isHighEntropy(run)).toBe(expected);
  });
});

describe('redactArguments: shapes', () => {
  it.each([
    ['undefined', undefined, null],
    ['null', null, null],
    ['an empty object', {}, '{}'],
    ['a string', 'plain', '"plain"'],
    ['a non-finite number', { n: Number.POSITIVE_INFINITY }, '{"n":"Infinity"}'],
    ['a bigint', { n: 10n }, '{"n":"10"}'],
    ['a function', { f: () => 1 }, '{"f":null}'],
  ])('turns %s into %s', (_, args, expected) => {
    expect(redactArguments(args)).toBe(expected);
  });

  it('marks a cycle instead of recursing forever', () => {
    const args: Record<string, unknown> = { a: 1 };
    args.self = args;
    expect(redact(args)).toEqual({ a: 1, self: '[circular]' });
  });

  it('marks nesting deeper than 64 levels', () => {
    let args: unknown = 'bottom';
    for (let i = 0; i < 100; i += 1) args = [args];
    expect(redactArguments(args)).toContain('"[too deep]"');
  });
});

describe('redactArguments: size cap', () => {
  it('keeps arguments that fit as they are', () => {
    const args = { text: 'x'.repeat(100) };
    expect(redactArguments(args, { maxBytes: 200 })).toBe(JSON.stringify(args));
  });

  it('cuts long arguments to valid JSON saying how many bytes are missing', () => {
    const args = { text: 'x'.repeat(10_000) };
    const result = redactArguments(args, { maxBytes: 100 })!;
    expect(Buffer.byteLength(result)).toBeLessThanOrEqual(100);
    const text = JSON.parse(result) as string;
    expect(text).toMatch(/^\{"text":"x+…\[truncated \d+ bytes\]$/);
    const kept = text.slice(0, text.indexOf('…'));
    const dropped = Number(/truncated (\d+) bytes/.exec(text)![1]);
    expect(Buffer.byteLength(kept) + dropped).toBe(Buffer.byteLength(JSON.stringify(args)));
  });

  it.each([64, 65, 100, 257, 1000])(
    'stays within %i bytes with quotes, multi-byte characters and surrogate pairs',
    (maxBytes) => {
      const result = capJson(JSON.stringify({ t: '"é😀\\'.repeat(2000) }), maxBytes);
      expect(Buffer.byteLength(result)).toBeLessThanOrEqual(maxBytes);
      expect(Buffer.byteLength(result)).toBeGreaterThan(maxBytes - 8);
      const text = JSON.parse(result) as string;
      expect(text.isWellFormed()).toBe(true);
      expect(text).toMatch(/…\[truncated \d+ bytes\]$/);
    },
  );

  it('redacts before it cuts, so a secret is never half kept', () => {
    const result = redactArguments({ a: 'y'.repeat(40), key: fake.ghp }, { maxBytes: 70 })!;
    expect(result).not.toContain('ghp_');
  });
});
