// Request builders for the bypass catalogue: exact bytes from a template, {P}/{T} = HTTP/TLS origin port, {X} = proxy port.
import { FLOW_DENY } from './bypass-env.ts';

export interface CaseContext {
  /** The counting origins' port (127.0.0.1 allowed, 127.0.0.2 denied). */
  readonly port: number;
  readonly proxyPort: number;
  /** The TLS origins' port (127.0.0.1 allowed, 127.0.0.2 denied). */
  readonly tlsPort: number;
  /** `Proxy-Authorization: …\r\n` */
  readonly auth: string;
}

export interface BypassCase {
  readonly name: string;
  readonly bytes: (ctx: CaseContext) => string | Buffer;
  readonly status: number;
  /** Exact x-airlock-blocked-by value, or a pattern (the parser's own refusals). */
  readonly blockedBy: string | RegExp;
}

export const FLOW = `allowlist/${FLOW_DENY}`;
export const TARGET = 'hygiene/invalid-request';
export const PARSER = 'hygiene/client-error';
export const GUARD = 'address-guard/loopback';
export const IDENTITY = 'identity/proxy-authorization';

/** Host defaults to the target's authority, as a client would write it. */
export function get(target: string, host?: string, extra = '') {
  return (ctx: CaseContext) => {
    const url = fill(target, ctx);
    const hostValue =
      host === undefined ? (/^[a-z]+:\/\/([^/]*)/i.exec(url)?.[1] ?? '') : fill(host, ctx);
    return `GET ${url} HTTP/1.1\r\nHost: ${hostValue}\r\n${ctx.auth}${fill(extra, ctx)}\r\n`;
  };
}

export function connect(authority: string, host?: string) {
  return (ctx: CaseContext) => {
    const target = fill(authority, ctx);
    return `CONNECT ${target} HTTP/1.1\r\nHost: ${host === undefined ? target : fill(host, ctx)}\r\n${ctx.auth}\r\n`;
  };
}

export function post(headers: string, body: string) {
  return (ctx: CaseContext) =>
    `POST http://api.slack.com:${ctx.port}/upload HTTP/1.1\r\nHost: api.slack.com:${ctx.port}\r\n${ctx.auth}${headers}\r\n${body}`;
}

/** `{P}` is the HTTP origins' port, `{T}` the TLS origins', `{X}` the proxy's. */
function fill(text: string, ctx: CaseContext): string {
  return text
    .replaceAll('{P}', String(ctx.port))
    .replaceAll('{X}', String(ctx.proxyPort))
    .replaceAll('{T}', String(ctx.tlsPort));
}

export const c = (
  name: string,
  bytes: BypassCase['bytes'],
  status: number,
  blockedBy: string | RegExp,
): BypassCase => ({
  name,
  bytes,
  status,
  blockedBy,
});
