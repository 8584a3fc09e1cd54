// The gateway's closed family of errors: every failure the gateway raises has a stable string `code`.

/** Every code a GatewayError may carry; add new ones here, never ad hoc strings elsewhere. */
export type GatewayErrorCode =
  /** mcp.json or the gateway sections of app.yaml are invalid; the error names file:line:column + field. */
  | 'GATEWAY_CONFIG_INVALID'
  /** A `fromSecret` / `fromEnv` value has no value in any provider. */
  | 'GATEWAY_SECRET_MISSING'
  /** The secrets file is readable by group or others (or not a regular file). */
  | 'GATEWAY_SECRET_INSECURE'
  /** A secret provider could not answer (Vault unreachable, refused the token, bad reply, unreadable file). */
  | 'GATEWAY_SECRET_PROVIDER_FAILED';

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}

/** What went wrong with a config field; tests and tools match on this, never on message text. */
export type ConfigProblem =
  | 'unreadable'
  | 'syntax'
  | 'not-a-mapping'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'bad-name'
  | 'unknown-group'
  | 'contradiction'
  | 'ignored-value'
  | 'unknown-server';

export interface GatewayConfigErrorInit {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path, e.g. `mcpServers.github.env.TOKEN`; empty for the whole document. */
  readonly field: string;
  readonly problem: ConfigProblem;
  readonly message: string;
  /** Warnings are reported but do not stop the config from loading. */
  readonly severity?: 'error' | 'warning';
}

/** A bad config field, at file:line:column. Message: `file:line:column: field: message`. */
export class GatewayConfigError extends GatewayError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly problem: ConfigProblem;
  readonly severity: 'error' | 'warning';
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(init: GatewayConfigErrorInit) {
    const field = init.field === '' ? '(document)' : init.field;
    super(
      'GATEWAY_CONFIG_INVALID',
      `${init.file}:${init.line}:${init.column}: ${field}: ${init.message}`,
    );
    this.name = 'GatewayConfigError';
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.field = init.field;
    this.problem = init.problem;
    this.severity = init.severity ?? 'error';
    this.detail = init.message;
  }
}

export type SecretErrorCode = Extract<
  GatewayErrorCode,
  'GATEWAY_SECRET_MISSING' | 'GATEWAY_SECRET_INSECURE' | 'GATEWAY_SECRET_PROVIDER_FAILED'
>;

/**
 * A secret or variable could not be had. Names the secret (or variable, or file), never its value:
 * callers must not pass a value, a token or a response body into `message`.
 */
export class SecretError extends GatewayError {
  declare readonly code: SecretErrorCode;
  /** The secret or environment variable name, or the file path for file-level problems. */
  readonly secret: string;
  /** The server whose config asked for it, when known. */
  readonly server: string | undefined;

  constructor(
    code: SecretErrorCode,
    secret: string,
    message: string,
    options?: { server?: string; cause?: unknown },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SecretError';
    this.secret = secret;
    this.server = options?.server;
  }
}
