// What a secret looks like whatever key it sits under: an explicit, named list of patterns, plus a high-entropy test.

export const REDACTED = '[redacted]';

export interface SecretPattern {
  readonly name: string;
  /** Global; the whole match is replaced, or, when the pattern has `keep` and `secret` groups, only `secret`. */
  readonly pattern: RegExp;
}

// A token starts where no token character precedes it, so `task-…` never reads as `sk-…`.
const START = '(?<![A-Za-z0-9_-])';

/** Checked in this order; each is tested in redact.test.ts. */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'PEM block',
    // Also an unterminated block (the arguments may have been cut), up to the end of the text.
    pattern: /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g,
  },
  {
    name: 'JWT',
    pattern: new RegExp(
      `${START}eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*`,
      'g',
    ),
  },
  {
    name: 'OpenAI / Anthropic key (sk-)',
    pattern: new RegExp(`${START}sk-[A-Za-z0-9_-]{20,}`, 'g'),
  },
  {
    name: 'Stripe secret key',
    pattern: new RegExp(`${START}[rs]k_(?:live|test)_[A-Za-z0-9]{16,}`, 'g'),
  },
  { name: 'GitHub token', pattern: new RegExp(`${START}gh[pousr]_[A-Za-z0-9]{30,}`, 'g') },
  {
    name: 'GitHub fine-grained token',
    pattern: new RegExp(`${START}github_pat_[A-Za-z0-9_]{22,}`, 'g'),
  },
  { name: 'Hugging Face token', pattern: new RegExp(`${START}hf_[A-Za-z0-9]{30,}`, 'g') },
  { name: 'npm token', pattern: new RegExp(`${START}npm_[A-Za-z0-9]{36,}`, 'g') },
  { name: 'Slack token', pattern: new RegExp(`${START}xox[bpars]-[A-Za-z0-9-]{10,}`, 'g') },
  {
    name: 'AWS access key id',
    pattern: new RegExp(`${START}(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`, 'g'),
  },
  { name: 'Google API key', pattern: new RegExp(`${START}AIza[A-Za-z0-9_-]{35}`, 'g') },
  {
    name: 'Authorization scheme',
    pattern: /(?<keep>\b(?:Bearer|Basic)\s+)(?<secret>[A-Za-z0-9._~+/=-]{8,})/gi,
  },
  {
    name: 'secret query parameter',
    pattern:
      /(?<keep>[?&](?:[a-z_]*token|api[-_]?key|apikey|key|secret|password|passwd|sig|signature|code)=)(?<secret>[^&#\s"]+)/gi,
  },
  {
    name: 'password in a URL',
    pattern: /(?<keep>\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)(?<secret>[^\s@/]+)@/gi,
  },
];

/** Runs of token characters this long or longer are candidates for the entropy test. */
const ENTROPY_MIN_LENGTH = 32;
/** Bits per character: random base62/base64 runs of 32+ characters score 4.0 or more. */
const ENTROPY_MIN_BITS = 3.8;
/** Share of vowels among the letters: ~19% in random text, 35-45% in identifiers made of words. */
const MAX_VOWEL_SHARE = 0.36;
/**
 * `/` and `.` end a run: paths and file names are common arguments and must stay readable (a base64
 * secret with `/` in it is then only caught in pieces of 32+; its key usually names it anyway).
 */
const TOKEN_RUN = /[A-Za-z0-9+=_-]{32,}/g;

/**
 * A long run that mixes at least two of upper case, lower case and digits, is close to random, and is not
 * made of words. Measured on random runs: about 2% of 32-character ones, 1.3% of 40 and 0.2% of 64 are
 * missed. Hex-only runs (commit ids, hashes, UUIDs) are left alone: they are usually identifiers, and an
 * audit log that hides them loses its use.
 */
export function isHighEntropy(run: string): boolean {
  if (run.length < ENTROPY_MIN_LENGTH) return false;
  if (/^[0-9a-fA-F-]+$/.test(run)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((kind) => kind.test(run)).length;
  if (classes < 2) return false;
  const letters = run.match(/[A-Za-z]/g)?.length ?? 0;
  const vowels = run.match(/[aeiouAEIOU]/g)?.length ?? 0;
  if (letters > 0 && vowels / letters >= MAX_VOWEL_SHARE) return false;
  return shannonBits(run) >= ENTROPY_MIN_BITS;
}

export function shannonBits(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The text with every secret-looking part replaced by `[redacted]`; the same string when there is none. */
export function redactSecretsIn(text: string): string {
  let result = text;
  for (const { pattern } of SECRET_PATTERNS) {
    result = result.replace(pattern, (...match) => {
      const whole = match[0] as string;
      const groups: unknown = match.at(-1);
      if (typeof groups !== 'object' || groups === null) return REDACTED;
      const { keep = '', secret = '' } = groups as { keep?: string; secret?: string };
      return `${keep}${REDACTED}${whole.slice(keep.length + secret.length)}`;
    });
  }
  return result.replace(TOKEN_RUN, (run) => (isHighEntropy(run) ? REDACTED : run));
}
