// Turns a request path into its endpoint template: segments that carry values (ids, tokens, emails) become `{id}`.

/** Longer paths are cut here: attacker-chosen paths must not grow the endpoints table without bound. */
export const MAX_TEMPLATE_LENGTH = 512;

const ID = '{id}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Digits and separators only: numbers, dates, versions, coordinates. */
const NUMERIC_ISH = /^[\d\-_.:,+]+$/;
/** What tokens, keys and base64(url) values are made of (`:` for tokens like Telegram's `123:AAH…`). */
const TOKEN_CHARS = /^[A-Za-z0-9_\-+=.:~]+$/;
const ALNUM_ID_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * `/users/42/posts/7f9c…` → `/users/{id}/posts/{id}`. The query is not part of a template.
 * Static words stay (`api`, `v2`, `chat.postMessage`, `getUserProfile`); values go.
 */
export function endpointTemplate(path: string): string {
  const end = path.search(/[?#]/);
  const bare = end === -1 ? path : path.slice(0, end);
  const template = bare
    .split('/')
    .map((segment) => (isValueSegment(segment) ? ID : segment))
    .join('/');
  return template.length > MAX_TEMPLATE_LENGTH
    ? `${template.slice(0, MAX_TEMPLATE_LENGTH)}…`
    : template;
}

/** Whether a path segment is a value (an id, a token, an address) rather than a name in the API. */
export function isValueSegment(raw: string): boolean {
  if (raw === '') return false;
  const segment = decodeSegment(raw);
  if (/^\d+$/.test(segment)) return true;
  if (UUID.test(segment)) return true;
  if (HEX.test(segment) && isLongHex(segment)) return true;
  if (EMAIL.test(segment)) return true;
  if (NUMERIC_ISH.test(segment) && /\d/.test(segment)) return true;
  if (isShortAlnumId(segment)) return true;
  return isRandomToken(segment);
}

// `deadbeef`, `facade` and `added` are words; a hex run with a digit, or a long one, is a hash or an id.
function isLongHex(segment: string): boolean {
  return segment.length >= 16 || (segment.length >= 8 && /\d/.test(segment));
}

// Ids like Slack's `C024BE91L` or `user1234`: short, but several digits among letters.
function isShortAlnumId(segment: string): boolean {
  return segment.length >= 8 && ALNUM_ID_CHARS.test(segment) && countDigits(segment) >= 3;
}

/**
 * Long tokens (API keys, base64, JWTs, Stripe ids). A long camelCase name (`getV2ChannelsList`) has few
 * digits and changes case once per word; a random token has digits or changes case every other letter.
 */
function isRandomToken(segment: string): boolean {
  if (segment.length < 16 || !TOKEN_CHARS.test(segment)) return false;
  if (!/[A-Za-z]/.test(segment)) return false;
  const digits = countDigits(segment);
  if (digits >= 3) return true;
  const switches = caseSwitchRatio(segment);
  return (digits >= 1 && switches >= 0.35) || (segment.length >= 20 && switches >= 0.4);
}

function countDigits(text: string): number {
  let count = 0;
  for (const char of text) if (char >= '0' && char <= '9') count += 1;
  return count;
}

/** Among neighbouring letters, the share that differ in case. */
function caseSwitchRatio(text: string): number {
  let pairs = 0;
  let switches = 0;
  let previous: boolean | undefined;
  for (const char of text) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    if (lower === upper) {
      previous = undefined; // not a letter: a separator starts a new run
      continue;
    }
    const isUpper = char === upper;
    if (previous !== undefined) {
      pairs += 1;
      if (previous !== isUpper) switches += 1;
    }
    previous = isUpper;
  }
  return pairs === 0 ? 0 : switches / pairs;
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
