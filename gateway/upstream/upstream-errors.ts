// The upstream layer's closed family of errors, each with a stable `code`; messages never carry secrets.

export type UpstreamErrorCode =
  /** The server's process exited or its connection closed while a request was in flight. */
  | 'UPSTREAM_CRASHED'
  /** The server is not connected (starting, backing off, stopped). */
  | 'UPSTREAM_UNAVAILABLE'
  /** The process could not be started or the MCP handshake failed. */
  | 'UPSTREAM_START_FAILED'
  /** A server→client request (sampling, elicitation, roots) could not be tied to one session. */
  | 'UPSTREAM_UNROUTABLE';

export class UpstreamError extends Error {
  readonly code: UpstreamErrorCode;
  /** The server's name as configured. */
  readonly server: string;

  constructor(
    code: UpstreamErrorCode,
    server: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
    this.code = code;
    this.server = server;
  }
}

/** "upstream server 'github' exited (code 1) while handling tools/call" */
export function crashedWhile(server: string, what: string, method: string): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_CRASHED',
    server,
    `upstream server '${server}' ${what} while handling ${method}`,
  );
}

export function unavailable(server: string, state: string): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_UNAVAILABLE',
    server,
    `upstream server '${server}' is not available (${state})`,
  );
}
