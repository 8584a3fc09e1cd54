// Who is calling: API key → its consumer, else the consumer tag, else the client name, else `default`.
import { matchApiKey } from '../config/api-keys.ts';
import type { AuthConfig } from '../config/types.ts';

export const API_KEY_HEADER = 'x-lunar-api-key';
export const CONSUMER_TAG_HEADER = 'x-lunar-consumer-tag';
export const DEFAULT_CONSUMER = 'default';
/** Longest consumer tag or client name taken as a consumer; longer ones are refused or ignored. */
export const MAX_CONSUMER_LENGTH = 128;

export type IdentitySource = 'api-key' | 'consumer-tag' | 'client-name' | 'default';

export type IdentityResult =
  | { readonly ok: true; readonly consumer: string; readonly source: IdentitySource }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

export interface IdentityInput {
  /** Request headers as Node gives them; names are matched case-insensitively. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly auth: AuthConfig;
  /** `clientInfo.name` from `initialize`, when known. */
  readonly clientName?: string;
}

/** A header repeated with different values; a symbol, so no header value can be mistaken for it. */
const AMBIGUOUS: unique symbol = Symbol('ambiguous');

type Presented =
  | { readonly kind: 'none' }
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'ambiguous'; readonly header: string };

/**
 * A presented key must be a known key even when auth is disabled: an unknown key is a
 * misconfigured agent, and quietly giving it the default rule could grant it more than its own.
 * Messages name headers, never a key.
 */
export function resolveIdentity(input: IdentityInput): IdentityResult {
  const headers = lowerCaseHeaders(input.headers);
  const presented = presentedKey(headers, input.auth.header);
  if (presented.kind === 'ambiguous') {
    return {
      ok: false,
      status: 403,
      message: `more than one API key presented in ${presented.header}`,
    };
  }
  if (presented.kind === 'key') {
    const consumer = matchApiKey(input.auth.keys, presented.key);
    if (consumer === undefined)
      return { ok: false, status: 403, message: 'API key not recognised' };
    return { ok: true, consumer, source: 'api-key' };
  }
  if (input.auth.enabled) {
    return {
      ok: false,
      status: 401,
      message: `API key required: ${keyHeaderList(input.auth.header)}`,
    };
  }
  const tag = singleValue(headers.get(CONSUMER_TAG_HEADER));
  if (tag === AMBIGUOUS) {
    return { ok: false, status: 403, message: `more than one ${CONSUMER_TAG_HEADER} presented` };
  }
  if (tag !== undefined) {
    if (tag.length > MAX_CONSUMER_LENGTH) {
      return {
        ok: false,
        status: 403,
        message: `${CONSUMER_TAG_HEADER} is longer than ${MAX_CONSUMER_LENGTH} characters`,
      };
    }
    return { ok: true, consumer: tag, source: 'consumer-tag' };
  }
  const clientName = input.clientName?.trim();
  if (clientName && clientName.length <= MAX_CONSUMER_LENGTH) {
    return { ok: true, consumer: clientName, source: 'client-name' };
  }
  return { ok: true, consumer: DEFAULT_CONSUMER, source: 'default' };
}

/** The headers a key is read from, in the order they are tried, for messages and docs. */
export function keyHeaderList(customHeader: string): string {
  const names = [API_KEY_HEADER];
  const custom = customHeader.trim().toLowerCase();
  if (custom && custom !== API_KEY_HEADER && custom !== 'authorization') names.push(custom);
  return `send it in ${names.join(' or ')}, or as Authorization: Bearer`;
}

/** First non-empty of x-lunar-api-key, the configured header, Authorization: Bearer. */
function presentedKey(
  headers: ReadonlyMap<string, string | string[]>,
  customHeader: string,
): Presented {
  const custom = customHeader.trim().toLowerCase();
  const names = custom && custom !== 'authorization' ? [API_KEY_HEADER, custom] : [API_KEY_HEADER];
  for (const name of names) {
    const value = singleValue(headers.get(name));
    if (value === AMBIGUOUS) return { kind: 'ambiguous', header: name };
    if (value !== undefined) return { kind: 'key', key: value };
  }
  const authorization = singleValue(headers.get('authorization'));
  if (authorization === AMBIGUOUS) return { kind: 'ambiguous', header: 'authorization' };
  // Only the Bearer scheme carries a key; Basic or others are not ours to read.
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer === undefined ? { kind: 'none' } : { kind: 'key', key: bearer };
}

function lowerCaseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Map<string, string | string[]> {
  const lowered = new Map<string, string | string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const existing = lowered.get(key);
    lowered.set(key, existing === undefined ? value : [existing, value].flat());
  }
  return lowered;
}

/** A trimmed, non-empty header value; repeated headers count only if every copy agrees. */
function singleValue(value: string | string[] | undefined): string | undefined | typeof AMBIGUOUS {
  if (value === undefined) return undefined;
  const values = [value]
    .flat()
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const distinct = new Set(values);
  if (distinct.size > 1) return AMBIGUOUS;
  return values[0];
}
