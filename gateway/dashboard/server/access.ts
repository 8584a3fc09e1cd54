// Who may use the dashboard: Host/Origin checked like the MCP endpoint, and beyond loopback the admin token (pure).
import { createHash, timingSafeEqual } from 'node:crypto';
import { checkRequest, isLoopbackName } from '../../downstream/request-guard.ts';

export interface AccessSettings {
  readonly listenHost: string;
  readonly allowedOrigins: readonly string[];
  /** Required when listening beyond loopback; ignored on loopback. */
  readonly adminToken: string | undefined;
}

export type AccessDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly status: 401 | 403; readonly reason: string };

/** Whether a bearer token is required: only when the listener is reachable beyond this machine. */
export function tokenRequired(listenHost: string): boolean {
  return !isLoopbackName(listenHost);
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function checkAccess(
  headers: {
    readonly host?: string | undefined;
    readonly origin?: string | undefined;
    readonly authorization?: string | undefined;
  },
  settings: AccessSettings,
  path = '/api/',
): AccessDecision {
  const guard = checkRequest(headers, settings);
  if (!guard.allow) return guard;
  if (!tokenRequired(settings.listenHost)) return { allow: true };
  // The page and its scripts carry no data; without them a browser could never show the token form.
  if (!path.startsWith('/api/')) return { allow: true };
  if (settings.adminToken === undefined || settings.adminToken === '') {
    return { allow: false, status: 401, reason: 'no admin token is configured' };
  }
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return { allow: false, status: 401, reason: 'admin token required' };
  if (!sameToken(match[1], settings.adminToken)) {
    return { allow: false, status: 401, reason: 'admin token required' };
  }
  return { allow: true };
}
