// Turns a deny (a flow's GenerateResponse, the egress default, the address guard, a hygiene check) into response data and bytes.
import { STATUS_CODES } from 'node:http';
import type { Decision, GeneratedResponse } from '../flows/types.ts';

/** Header naming who blocked a request: `<flow>/<processor>`, `default/deny`, `address-guard/<class>`, … */
export const BLOCKED_BY_HEADER = 'x-airlock-blocked-by';

/** A response the egress writes itself, as data: the wire code turns it into bytes. */
export interface DenyResponse {
  readonly status: number;
  readonly body: string;
  /** Header names as written; the blocked-by header is among them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The blocked-by value, also kept apart for the record and the log. */
  readonly blockedBy: string;
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Framing is the egress's business, never a flow's: these would let a flow file break the response. */
const reserved = new Set(['content-length', 'transfer-encoding', 'connection', BLOCKED_BY_HEADER]);

function plainText(status: number, body: string, blockedBy: string): DenyResponse {
  return {
    status,
    body,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', [BLOCKED_BY_HEADER]: blockedBy },
    blockedBy,
  };
}

/** The blocked-by value for a decision: the flow and processor that decided, or `default/deny`. */
export function blockedByOf(decision: Pick<Decision, 'flow' | 'processor'>): string {
  if (decision.flow === null) return 'default/deny';
  return `${decision.flow}/${decision.processor ?? 'deny'}`;
}

/** The response for a denied decision: the flow's GenerateResponse, or 403 text/plain with the reason. */
export function denyResponseFor(decision: Decision): DenyResponse {
  const blockedBy = blockedByOf(decision);
  const generated: GeneratedResponse | undefined = decision.response;
  if (generated === undefined) {
    return plainText(403, `Blocked by Airlock: ${decision.reason}\n`, blockedBy);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(generated.headers)) {
    if (!headerName.test(name) || !headerValue.test(value)) continue;
    if (reserved.has(name.toLowerCase())) continue;
    headers[name] = value;
  }
  headers[BLOCKED_BY_HEADER] = blockedBy;
  const status = generated.status >= 200 && generated.status <= 599 ? generated.status : 403;
  return { status, body: generated.body, headers, blockedBy };
}

/** The address guard refused every address the host resolved to. */
export function addressGuardResponse(addressClass: string, reason: string): DenyResponse {
  return plainText(403, `Blocked by Airlock: ${reason}\n`, `address-guard/${addressClass}`);
}

/** The request itself was refused before any flow saw it (framing, target, identity). */
export function hygieneResponse(status: number, what: string, reason: string): DenyResponse {
  return plainText(status, `${reason}\n`, `hygiene/${what}`);
}

/** 407 asking a TCP client to say which server it is. */
export function proxyAuthRequired(reason: string): DenyResponse {
  const response = plainText(407, `${reason}\n`, 'identity/proxy-authorization');
  return {
    ...response,
    headers: { ...response.headers, 'Proxy-Authenticate': 'Basic realm="airlock"' },
  };
}

/** The origin could not be reached: 502 (refused, reset, TLS) or 504 (connect or header timeout). */
export function upstreamFailure(status: 502 | 504, error: string): DenyResponse {
  const response = plainText(status, `Airlock could not reach the origin: ${error}\n`, 'upstream');
  const { [BLOCKED_BY_HEADER]: _ignored, ...headers } = response.headers;
  return { ...response, headers: { ...headers, 'x-airlock-error': error }, blockedBy: '' };
}

/** Raw HTTP/1.1 bytes, for sockets that left the HTTP parser (CONNECT, client errors); always closes. */
export function serialiseResponse(response: DenyResponse): string {
  const body = Buffer.from(response.body, 'utf8');
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  return lines.join('\r\n') + response.body;
}

/** Byte length of the body, for the record. */
export function bodyBytes(response: DenyResponse): number {
  return Buffer.byteLength(response.body, 'utf8');
}
