// The egress's closed family of errors: every failure the egress raises has a stable string `code`.

/** Every code an EgressError may carry; add new ones here, never ad hoc strings elsewhere. */
export type EgressErrorCode =
  /** A configuration value (egress.allowAddresses, egress.hosts, …) cannot be compiled. */
  | 'EGRESS_CONFIG_INVALID'
  /** The identity secret file is missing, malformed or readable by others. */
  | 'EGRESS_SECRET_INSECURE'
  /** A listener (TCP or a server's Unix socket) cannot be opened. */
  | 'EGRESS_LISTEN_FAILED';

export class EgressError extends Error {
  readonly code: EgressErrorCode;

  constructor(code: EgressErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EgressError';
    this.code = code;
  }
}

/** Bad configuration, found when it is compiled (load or reload), never on the hot path. */
export class EgressConfigError extends EgressError {
  /** The configuration field, e.g. `egress.allowAddresses`. */
  readonly field: string;
  /** The offending entry as written. */
  readonly entry: string;

  constructor(field: string, entry: string, problem: string) {
    super('EGRESS_CONFIG_INVALID', `${field}: ${JSON.stringify(entry)} ${problem}`);
    this.name = 'EgressConfigError';
    this.field = field;
    this.entry = entry;
  }
}

/** The secret that signs per-server proxy identities cannot be trusted or created. */
export class EgressSecretError extends EgressError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('EGRESS_SECRET_INSECURE', `${file}: ${problem}`, options);
    this.name = 'EgressSecretError';
    this.file = file;
  }
}

/** A listening socket (the TCP listener or a server's Unix socket) cannot be opened. */
export class EgressListenError extends EgressError {
  /** `HOST:PORT`, a socket path, or the server name that was refused. */
  readonly where: string;

  constructor(where: string, problem: string, options?: { cause?: unknown }) {
    super('EGRESS_LISTEN_FAILED', `${where}: ${problem}`, options);
    this.name = 'EgressListenError';
    this.where = where;
  }
}

/** The egress cannot start: its configuration (app.yaml `egress:`, flows/) has errors; each names file:line. */
export class EgressStartError extends EgressError {
  /** Each error's message starts with `file:line:column: field:`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      'EGRESS_CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'EgressStartError';
    this.problems = problems;
  }
}
