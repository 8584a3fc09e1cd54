// Per-server identity on the TCP listener: a token derived from the server name and the egress secret.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EgressSecretError } from './errors.ts';

/** Server names as the gateway writes them; also what may appear before the `:` in Basic credentials. */
export const SERVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const SECRET_BYTES = 32;
const SECRET_FILE = 'egress.key';

export type IdentityResult = { ok: true; server: string } | { ok: false; reason: string };

/** HMAC-SHA256 of the server name under the egress secret, base64url (43 characters). */
export function identityToken(secret: Uint8Array, server: string): string {
  return createHmac('sha256', secret).update(server, 'utf8').digest('base64url');
}

/** The `Proxy-Authorization` value a client of `server` sends on the TCP listener. */
export function proxyAuthorizationFor(secret: Uint8Array, server: string): string {
  if (!SERVER_NAME.test(server)) {
    throw new TypeError(`invalid server name ${JSON.stringify(server)}`);
  }
  const credentials = `${server}:${identityToken(secret, server)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

/** Who is calling, from a `Proxy-Authorization` header; reasons never echo the credentials. */
export function identifyProxyAuthorization(
  header: string | undefined,
  secret: Uint8Array,
): IdentityResult {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'no Proxy-Authorization header' };
  }
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return { ok: false, reason: 'Proxy-Authorization is not Basic credentials' };
  const credentials = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  if (colon < 0) return { ok: false, reason: 'Basic credentials have no server:token form' };
  const server = credentials.slice(0, colon);
  if (!SERVER_NAME.test(server)) {
    return { ok: false, reason: 'Basic credentials do not name a valid server' };
  }
  const given = Buffer.from(credentials.slice(colon + 1), 'utf8');
  const expected = Buffer.from(identityToken(secret, server), 'utf8');
  // Lengths are public (every token is 43 characters); only equal-length buffers are compared.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: `wrong token for server ${server}` };
  }
  return { ok: true, server };
}

/**
 * `<data>/egress.key`: 32 random bytes, created 0600 on first use. A key that group or others
 * can read is refused: anyone holding it can act as any server on the TCP listener.
 */
export function loadOrCreateEgressSecret(dataDir: string): Uint8Array {
  const file = join(dataDir, SECRET_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const created = tryCreate(file);
  if (created) return created;
  return readExisting(file);
}

function tryCreate(file: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new EgressSecretError(file, 'cannot create the egress secret', { cause: error });
  }
  try {
    const secret = randomBytes(SECRET_BYTES);
    writeSync(fd, secret);
    return new Uint8Array(secret);
  } finally {
    closeSync(fd);
  }
}

function readExisting(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new EgressSecretError(file, 'cannot open the egress secret', { cause: error });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new EgressSecretError(file, 'is not a regular file');
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new EgressSecretError(
        file,
        `is readable by group or others (mode ${mode}); run chmod 600 on it, or delete it to mint a new one`,
      );
    }
    const secret = readFileSync(fd);
    if (secret.length !== SECRET_BYTES) {
      throw new EgressSecretError(file, `must hold ${SECRET_BYTES} bytes, found ${secret.length}`);
    }
    return new Uint8Array(secret);
  } finally {
    closeSync(fd);
  }
}
