// The sandbox layer's closed family of errors, each with a stable string code.

export type SandboxErrorCode =
  /** `auto` found no working backend, or the written backend does not work here. */
  'SANDBOX_UNAVAILABLE';

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly server: string;

  constructor(code: SandboxErrorCode, server: string, message: string) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    this.server = server;
  }
}

export const INSTALL_ADVICE =
  'install bubblewrap (apt-get install bubblewrap) or start a Docker engine';
