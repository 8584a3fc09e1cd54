// API keys: minted once, stored only as SHA-256 hashes, matched in constant time against every stored hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'alk_';

/** `alk_` + 32 random bytes, base64url: 256 bits, so an unsalted fast hash is enough to store it. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** `sha256:<64 hex>`, the form written into `auth.keys` of app.yaml. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * The consumer whose stored hash matches `presented`, or undefined.
 * Every entry is compared (no early exit) so timing does not tell which or how many consumers exist.
 */
export function matchApiKey(
  keys: Readonly<Record<string, string>>,
  presented: string,
): string | undefined {
  const presentedHash = Buffer.from(hashApiKey(presented), 'utf8');
  let found: string | undefined;
  for (const [consumer, stored] of Object.entries(keys)) {
    const storedHash = Buffer.from(stored, 'utf8');
    // A malformed stored hash (wrong length) is compared against itself to keep the work constant.
    const sameLength = storedHash.length === presentedHash.length;
    const equal = timingSafeEqual(sameLength ? storedHash : presentedHash, presentedHash);
    if (sameLength && equal && found === undefined) found = consumer;
  }
  return found;
}
