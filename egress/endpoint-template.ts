// Turns a request path into its endpoint template: segments that carry values (ids, tokens, emails) become `{id}`.

/** Longer paths are cut here: attacker-chosen paths must not grow the endpoints table without bound. */
export const MAX_TEMPLATE_LENGTH = 512;

const ID = '{id}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

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

/** What one pass over a segment learns; the rules below only read it (this runs for every record). */
interface Shape {
  length: number;
  digits: number;
  letters: number;
  /** Only 0-9 a-f A-F. */
  hex: boolean;
  /** Only digits and `-_.:,+`: numbers, dates, versions, coordinates. */
  numericIsh: boolean;
  /** Only letters, digits, `-` and `_`. */
  alnumId: boolean;
  /** Only what tokens, keys and base64(url) values are made of (`:` for tokens like Telegram's `123:AAH…`). */
  tokenChars: boolean;
  /** Among neighbouring letters (not split by another character), how many pairs differ in case. */
  letterPairs: number;
  caseSwitches: number;
}

/** Whether a path segment is a value (an id, a token, an address) rather than a name in the API. */
export function isValueSegment(raw: string): boolean {
  if (raw === '') return false;
  const segment = decodeSegment(raw);
  const shape = shapeOf(segment);
  if (shape.digits === shape.length) return true;
  if (shape.length === 36 && UUID.test(segment)) return true;
  if (shape.hex && isLongHex(shape)) return true;
  if (segment.includes('@') && EMAIL.test(segment)) return true;
  if (shape.numericIsh && shape.digits > 0) return true;
  if (isShortAlnumId(shape)) return true;
  return isRandomToken(shape);
}

// `deadbeef`, `facade` and `added` are words; a hex run with a digit, or a long one, is a hash or an id.
function isLongHex(shape: Shape): boolean {
  return shape.length >= 16 || (shape.length >= 8 && shape.digits > 0);
}

// Ids like Slack's `C024BE91L` or `user1234`: short, but several digits among letters.
function isShortAlnumId(shape: Shape): boolean {
  return shape.length >= 8 && shape.alnumId && shape.digits >= 3;
}

/**
 * Long tokens (API keys, base64, JWTs, Stripe ids). A long camelCase name (`getV2ChannelsList`) has few
 * digits and changes case once per word; a random token has digits or changes case every other letter.
 */
function isRandomToken(shape: Shape): boolean {
  if (shape.length < 16 || !shape.tokenChars || shape.letters === 0) return false;
  if (shape.digits >= 3) return true;
  const switches = shape.letterPairs === 0 ? 0 : shape.caseSwitches / shape.letterPairs;
  return (shape.digits >= 1 && switches >= 0.35) || (shape.length >= 20 && switches >= 0.4);
}

function shapeOf(segment: string): Shape {
  const shape: Shape = {
    length: segment.length,
    digits: 0,
    letters: 0,
    hex: true,
    numericIsh: true,
    alnumId: true,
    tokenChars: true,
    letterPairs: 0,
    caseSwitches: 0,
  };
  let previousUpper: boolean | undefined;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    const upper = code >= 65 && code <= 90;
    const lower = code >= 97 && code <= 122;
    if (code >= 48 && code <= 57) {
      shape.digits += 1;
      previousUpper = undefined;
      continue;
    }
    if (upper || lower) {
      shape.letters += 1;
      shape.numericIsh = false;
      if (!((code >= 65 && code <= 70) || (code >= 97 && code <= 102))) shape.hex = false;
      if (previousUpper !== undefined) {
        shape.letterPairs += 1;
        if (previousUpper !== upper) shape.caseSwitches += 1;
      }
      previousUpper = upper;
      continue;
    }
    previousUpper = undefined; // a separator starts a new run of letters
    shape.hex = false;
    const char = segment[i];
    if (char !== '-' && char !== '_') shape.alnumId = false;
    if (!'-_.:,+'.includes(char ?? '')) shape.numericIsh = false;
    if (!'-_+=.:~'.includes(char ?? '')) shape.tokenChars = false;
  }
  return shape;
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
