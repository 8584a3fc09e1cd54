// The Docker backend's closed family of errors, each with a stable string code.

export type DockerSandboxErrorCode =
  /** No engine answers on the socket (not installed, not running, no permission). */
  | 'DOCKER_UNAVAILABLE'
  /** An allowWrite/allowRead path would expose something the sandbox must never see. */
  | 'DOCKER_BIND_REFUSED'
  /** A path in the sandbox block is not absolute (binds need absolute host paths). */
  | 'DOCKER_BIND_NOT_ABSOLUTE'
  /** Creating, attaching or starting a container failed. */
  | 'DOCKER_START_FAILED';

export class DockerSandboxError extends Error {
  readonly code: DockerSandboxErrorCode;
  readonly server: string;

  constructor(
    code: DockerSandboxErrorCode,
    server: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DockerSandboxError';
    this.code = code;
    this.server = server;
  }
}
