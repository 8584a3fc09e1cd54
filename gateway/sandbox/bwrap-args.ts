// Pure: the bubblewrap argv that jails one stdio server (loopback-only network, read-only host, hidden secrets).
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { StdioServerSpec } from '../config/types.ts';
import { SANDBOX_EGRESS_SOCKET } from './sandbox-env.ts';

/** Where Airlock's own files appear inside the sandbox (a tmpfs over /run, so nothing of the host's /run shows). */
export const SANDBOX_RUN_DIR = '/run/airlock';
export const SANDBOX_RELAY = `${SANDBOX_RUN_DIR}/relay.ts`;
export const SANDBOX_BOOTSTRAP = `${SANDBOX_RUN_DIR}/proxy-bootstrap.mjs`;

export interface BwrapPaths {
  /** Host path of this server's egress Unix socket (`<data>/sockets/<server>.sock`). */
  readonly egressSocket: string;
  /** Host paths of the relay and bootstrap (bound read-only at fixed in-sandbox paths). */
  readonly relay: string;
  readonly bootstrap: string;
  /** The Node that runs the relay (host path; visible through the read-only root or bound). */
  readonly node: string;
  /** Flags for the relay's Node (e.g. --experimental-strip-types on Node 22 before 22.18). */
  readonly nodeFlags?: readonly string[];
  /** Airlock's data dir: hidden, even inside a revealed code path. */
  readonly dataDir: string;
  /** More directories hidden even inside a revealed code path (Airlock's config dir: secrets.env). */
  readonly secretDirs?: readonly string[];
  /** The package a script belongs to (nearest folder with package.json), so its node_modules resolve. */
  readonly packageRootOf?: (dir: string) => string | undefined;
  /** `<data>/servers/<name>`: the server's writable state, bound at the same path. */
  readonly stateDir: string;
  /** Directories hidden behind an empty tmpfs (default: /home, /root). */
  readonly hiddenDirs: readonly string[];
  /** Files hidden behind /dev/null (e.g. a Docker socket outside /run). */
  readonly hiddenFiles: readonly string[];
}

/** The hidden directory a path lies under, if any. */
function hiddenRoot(path: string, hidden: readonly string[]): string | undefined {
  return hidden.find((dir) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep));
}

/**
 * What must be readable for a file to run: a package inside node_modules needs the whole node_modules
 * (its dependencies sit beside it); any other file, its directory.
 */
function codeRootOf(file: string, packageRootOf: (dir: string) => string | undefined): string {
  const absolute = resolve(file);
  const at = absolute.indexOf(`${sep}node_modules${sep}`);
  if (at !== -1) return absolute.slice(0, at + `${sep}node_modules`.length);
  return packageRootOf(dirname(absolute)) ?? dirname(absolute);
}

/** Replaced wholesale inside every sandbox, so code living there must be bound back too. */
const PRIVATE_DIRS = ['/tmp', '/run'];

/**
 * The command, its absolute-path arguments, its cwd and Node must stay readable even when they live under
 * a hidden directory (a project in /home): bound back read-only, never writable.
 */
export function codePathsToReveal(
  spec: StdioServerSpec,
  node: string,
  hidden: readonly string[],
  packageRootOf: (dir: string) => string | undefined = () => undefined,
): string[] {
  const candidates = [spec.command, ...spec.args]
    .filter((value) => isAbsolute(value))
    .map((file) => codeRootOf(file, packageRootOf));
  // Node's install prefix (…/bin/node → …), since an nvm-style Node keeps its lib/ beside bin/.
  candidates.push(dirname(dirname(resolve(node))));
  if (spec.cwd !== undefined) candidates.push(resolve(spec.cwd));
  const reveal = candidates.filter((path) => {
    const root = hiddenRoot(path, hidden);
    return root !== undefined && root !== path;
  });
  return [...new Set(reveal)].sort();
}

export function bwrapArgs(spec: StdioServerSpec, paths: BwrapPaths): string[] {
  const secretDirs = [paths.dataDir, ...(paths.secretDirs ?? [])];
  const hiddenDirs = [...paths.hiddenDirs, ...secretDirs];
  const args = [
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--die-with-parent',
    // No --new-session: the launcher already starts bwrap in a new session (no controlling terminal, so
    // no TIOCSTI), and staying in bwrap's process group lets stop() signal and wait for every process inside.
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    // A fresh /run hides the host's sockets there (docker.sock, dbus, systemd) in one step.
    '--tmpfs',
    '/run',
  ];
  for (const dir of hiddenDirs) args.push('--tmpfs', dir);
  for (const file of paths.hiddenFiles) args.push('--ro-bind', '/dev/null', file);
  // Re-exposed after the hiding so they punch through it.
  const reveal = codePathsToReveal(
    spec,
    paths.node,
    [...PRIVATE_DIRS, ...hiddenDirs],
    paths.packageRootOf,
  );
  for (const dir of reveal) args.push('--ro-bind', dir, dir);
  // A revealed package may contain the data or config dir (./data, ./config of a checkout): hide them again.
  if (reveal.length > 0) for (const dir of secretDirs) args.push('--tmpfs', dir);
  for (const dir of spec.sandbox?.allowRead ?? []) args.push('--ro-bind', dir, dir);
  for (const dir of spec.sandbox?.allowWrite ?? []) args.push('--bind', dir, dir);
  args.push(
    '--bind',
    paths.stateDir,
    paths.stateDir,
    '--dir',
    SANDBOX_RUN_DIR,
    '--ro-bind',
    paths.relay,
    SANDBOX_RELAY,
    '--ro-bind',
    paths.bootstrap,
    SANDBOX_BOOTSTRAP,
    '--bind',
    paths.egressSocket,
    SANDBOX_EGRESS_SOCKET,
  );
  if (spec.cwd !== undefined) args.push('--chdir', resolve(spec.cwd));
  args.push(
    '--',
    paths.node,
    ...(paths.nodeFlags ?? []),
    SANDBOX_RELAY,
    '--socket',
    SANDBOX_EGRESS_SOCKET,
    '--',
    spec.command,
    ...spec.args,
  );
  return args;
}
