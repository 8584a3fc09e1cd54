// Where a gateway listener binds: parse `HOST:PORT`, and refuse to listen beyond loopback while auth is off.
import { isLoopbackName } from './request-guard.ts';

export type ListenErrorCode =
  | 'GATEWAY_LISTEN_REFUSED'
  | 'GATEWAY_LISTEN_INVALID'
  | 'GATEWAY_LISTEN_FAILED';

/** A listener that must not or could not start. (Kept beside the listener; `gateway/errors.ts` may absorb it.) */
export class GatewayListenError extends Error {
  readonly code: ListenErrorCode;

  constructor(code: ListenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayListenError';
    this.code = code;
  }
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:9000`, `[::1]:9000`, `localhost:0`; an error value for anything else. */
export function parseListenAddress(
  text: string,
): { ok: true; value: ListenAddress } | { ok: false; error: string } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    return { ok: false, error: `'${text}' is not HOST:PORT` };
  }
  return { ok: true, value: { host, port } };
}

/**
 * An MCP endpoint without auth is open to anything that can reach it; on loopback that is this
 * machine's users only, beyond it the whole network. So beyond loopback, auth is mandatory.
 */
export function checkListenAllowed(
  address: ListenAddress,
  authEnabled: boolean,
  what: string,
): GatewayListenError | undefined {
  if (authEnabled || isLoopbackName(address.host)) return undefined;
  return new GatewayListenError(
    'GATEWAY_LISTEN_REFUSED',
    `refusing to listen on ${address.host}:${address.port} for ${what} while auth.enabled is false in app.yaml: ` +
      'enable auth (and create keys with `airlock keys create CONSUMER`) or listen on 127.0.0.1',
  );
}

/** `http://127.0.0.1:9000`, brackets around IPv6. */
export function httpUrl(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}
