// Builds (once, cached by a content-hash tag) a local Docker image from the host's Node, curl and Python: no registry needed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the image's layout changes, so a stale cached tag is not reused. */
const LAYOUT_VERSION = '2';
const IMAGE_REPOSITORY = 'airlock-test-sandbox';

export interface TestImage {
  readonly tag: string;
  /** Whether this call built it (false: the cached tag existed). */
  readonly built: boolean;
  readonly buildMs: number;
}

function run(
  command: string,
  args: readonly string[],
  input?: string,
): { ok: boolean; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', input, timeout: 120_000 });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function which(name: string): string | undefined {
  const found = run('sh', ['-c', `command -v ${name}`]);
  return found.ok ? found.out.trim() : undefined;
}

/** The shared libraries a binary loads, as absolute paths (ldd's `=> path` and the loader line). */
export function sharedLibraries(lddOutput: string): string[] {
  const paths = new Set<string>();
  for (const line of lddOutput.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const loader = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? loader?.[1];
    if (path !== undefined) paths.add(path);
  }
  return [...paths].sort();
}

/** Debian's Python (not a pyenv shim under a hidden home): binary and standard library, for urllib client tests. */
function debianPython(): { binary: string; stdlib: string } | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const binary = realpathSync('/usr/bin/python3');
  const stdlib = `/usr/lib/${binary.split('/').pop() ?? ''}`;
  return existsSync(stdlib) ? { binary, stdlib } : undefined;
}

/** Binaries in the image: `node` always; `curl` and `python3` when the host has them (in-sandbox client tests). */
function binaries(): Map<string, string> {
  const found = new Map<string, string>([['/usr/local/bin/node', process.execPath]]);
  const curl = which('curl');
  if (curl !== undefined) found.set('/usr/bin/curl', curl);
  const python = debianPython();
  if (python !== undefined) {
    found.set('/usr/bin/python3', python.binary);
    // Extension modules (ssl, socket, …) load their own libraries.
    const dynload = join(python.stdlib, 'lib-dynload');
    for (const name of existsSync(dynload) ? readdirSync(dynload) : []) {
      if (name.endsWith('.so')) found.set(join(dynload, name), join(dynload, name));
    }
  }
  return found;
}

/** The Python standard library without tests and caches (a third of its size). */
function copyStdlib(root: string): void {
  const python = debianPython();
  if (python === undefined) return;
  cpSync(python.stdlib, join(root, python.stdlib), {
    recursive: true,
    dereference: true,
    filter: (source: string) =>
      !/\/(test|tests|__pycache__|idlelib|tkinter|ensurepip)(\/|$)/.test(source),
  });
}

function contentTag(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256').update(LAYOUT_VERSION);
  for (const [target, source] of [...files].sort()) {
    const stat = statSync(source);
    hash.update(`${target}\0${source}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return `${IMAGE_REPOSITORY}:${hash.digest('hex').slice(0, 16)}`;
}

const PASSWD =
  'root:x:0:0:root:/tmp:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * The image: node, curl and the libraries they load at their host paths, a minimal /etc/passwd,
 * an empty /tmp and /opt/airlock. Project files (fixtures, relay) are bind-mounted read-only at run time.
 */
let cached: TestImage | undefined;

export function ensureTestImage(): TestImage {
  cached ??= buildTestImage();
  return cached;
}

function buildTestImage(): TestImage {
  const started = Date.now();
  const files = binaries();
  // Tagged by the binaries themselves (cheap): ldd runs only when the image must be built.
  const tag = contentTag(files);
  if (run('docker', ['image', 'inspect', tag]).ok) {
    return { tag, built: false, buildMs: Date.now() - started };
  }
  for (const binary of [...files.values()]) {
    const ldd = run('ldd', [binary]);
    for (const library of sharedLibraries(ldd.out)) files.set(library, library);
  }
  const root = mkdtempSync(join(tmpdir(), 'airlock-image-'));
  try {
    for (const [target, source] of files) {
      mkdirSync(join(root, dirname(target)), { recursive: true });
      copyFileSync(source, join(root, target));
      chmodSync(join(root, target), statSync(source).mode & 0o777);
    }
    copyStdlib(root);
    for (const dir of ['tmp', 'opt/airlock', 'etc', 'run/airlock', 'proc', 'dev', 'sys']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    chmodSync(join(root, 'tmp'), 0o1777);
    writeFileSync(join(root, 'etc/passwd'), PASSWD);
    writeFileSync(join(root, 'etc/group'), GROUP);
    const imported = run('sh', [
      '-c',
      `tar -C "$1" -cf - . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'WORKDIR /tmp' - "$2"`,
      'import',
      root,
      tag,
    ]);
    if (!imported.ok)
      throw new Error(`docker import of the test image failed: ${imported.out.trim()}`);
    removeOlderTags(tag);
    return { tag, built: true, buildMs: Date.now() - started };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Earlier builds (another Node, another layout) are dead weight: removed, never the current tag. */
function removeOlderTags(current: string): void {
  const listed = run('docker', [
    'images',
    IMAGE_REPOSITORY,
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  for (const tag of listed.out.split('\n').map((line) => line.trim())) {
    if (tag.startsWith(`${IMAGE_REPOSITORY}:`) && tag !== current) run('docker', ['rmi', tag]);
  }
}

/** Why Docker tests cannot run here (no CLI, no engine), or undefined when `docker info` answers. */
export function dockerProblem(): string | undefined {
  if (which('docker') === undefined)
    return 'the docker CLI is not installed (bash .ci/start-docker.sh installs it)';
  const info = run('docker', ['info', '--format', '{{.ServerVersion}}']);
  if (!info.ok)
    return `no Docker engine answers (${info.out.trim().split('\n').pop() ?? ''}); run bash .ci/start-docker.sh`;
  return undefined;
}

/** Every container (any state) carrying `label=value`: a stopped launcher must leave none. */
export function containersLabelled(label: string, value: string): string[] {
  const listed = run('docker', ['ps', '-aq', '--filter', `label=${label}=${value}`]);
  return listed.out.split('\n').filter((line) => line.trim() !== '');
}

/** The project root: bound read-only in test containers, so fixtures, node_modules and the host's Node path exist inside. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/**
 * Extra `createDockerLauncher` options for tests: the local image for server and relay, the project's
 * `sandbox-images/` at /opt/airlock (relay, bootstrap), and the project read-only at its own path.
 */
export function dockerTestLauncherOptions(image: TestImage = ensureTestImage()): {
  serverImage: string;
  relayImage: string;
  airlockDir: string;
  readOnly: string[];
  graceSeconds: number;
} {
  return {
    serverImage: image.tag,
    relayImage: image.tag,
    airlockDir: join(PROJECT_ROOT, 'sandbox-images'),
    readOnly: [PROJECT_ROOT],
    graceSeconds: 1,
  };
}
