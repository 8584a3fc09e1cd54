// The environment a plain child process gets: its resolved env plus the few variables any program needs.

/**
 * Inherited from the gateway because programs (and `npx`, `uvx`) break without them, and none is a
 * secret: the executable search path, the home directory (package caches), user and shell identity,
 * terminal type, locale and temp dir. Everything else of the gateway's environment stays out.
 */
export const inheritedVariables = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'TMPDIR',
] as const;

/** The child's whole environment: inherited basics, overridden by the server's own resolved `env`. */
export function childEnv(
  resolved: Readonly<Record<string, string>>,
  parent: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of inheritedVariables) {
    const value = parent[name];
    // Shell functions exported by bash (`() {…`) are a known injection vector; never pass them on.
    if (value !== undefined && !value.startsWith('()')) env[name] = value;
  }
  return { ...env, ...resolved };
}
