// The whole environment inside a sandbox: proxy variables, the bootstrap, the server's resolved env, and the bare minimum.

/** Where the relay listens inside every sandbox. */
export const SANDBOX_PROXY_URL = 'http://127.0.0.1:3128';
/** Where the server's egress Unix socket is bound inside the sandbox. */
export const SANDBOX_EGRESS_SOCKET = '/run/airlock/egress.sock';

/** The variables that send a process's HTTP(S) clients through `url` (both spellings, nothing exempt). */
export function proxyVariables(url: string): Record<string, string> {
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    NO_PROXY: '',
    no_proxy: '',
    NODE_USE_ENV_PROXY: '1',
  };
}

/** The egress's TCP URL carrying a server's credentials as userinfo (for `sandbox.type none`). */
export function credentialedProxyUrl(
  host: string,
  port: number,
  server: string,
  token: string,
): string {
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  return `http://${encodeURIComponent(server)}:${encodeURIComponent(token)}@${hostForUrl}:${port}`;
}

export interface SandboxEnvPaths {
  /** The proxy bootstrap module, as seen inside the sandbox. */
  readonly bootstrap: string;
  /** The server's private writable state dir inside the sandbox (HOME and AIRLOCK_STATE_DIR). */
  readonly stateDir: string;
  /** PATH inside the sandbox (the host's, since the host is visible read-only). */
  readonly path: string;
}

/**
 * Nothing of the host's environment except PATH and a locale: the server sees the proxy, its own
 * state dir as HOME, and its resolved env (which may override anything but the proxy variables).
 */
export function sandboxEnv(
  resolved: Readonly<Record<string, string>>,
  paths: SandboxEnvPaths,
): Record<string, string> {
  const proxy = proxyVariables(SANDBOX_PROXY_URL);
  const basics: Record<string, string> = {
    PATH: paths.path,
    HOME: paths.stateDir,
    AIRLOCK_STATE_DIR: paths.stateDir,
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
  };
  // The server's own NODE_OPTIONS is kept, after the bootstrap import.
  const nodeOptions = [`--import ${paths.bootstrap}`, resolved.NODE_OPTIONS ?? '']
    .filter((part) => part !== '')
    .join(' ');
  return { ...basics, ...resolved, ...proxy, NODE_OPTIONS: nodeOptions };
}
