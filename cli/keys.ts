// `airlock keys create CONSUMER` mints an API key (printed once, stored as a hash in app.yaml); `keys list` names consumers.
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../gateway/config/api-keys.ts';
import {
  APP_FILE,
  DEFAULT_API_KEY_HEADER,
  parseGatewaySettings,
} from '../gateway/config/app-config.ts';
import { listKeyConsumers, setApiKeyHash } from '../gateway/config/app-yaml-keys.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

const USAGE = `usage: airlock keys create CONSUMER [--force] [--config DIR]
       airlock keys list [--config DIR]

  create  mint an API key for CONSUMER: the key is printed once; only its SHA-256 hash is written
          to auth.keys.CONSUMER in <config>/app.yaml (comments and layout are kept)
  list    the consumers that have a key (never the hashes)
  --force replace CONSUMER's existing key
  --config the config directory (default: $AIRLOCK_CONFIG, else ./config)
`;

export interface KeysIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const processIo: KeysIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

const options = {
  ...directoryOptions,
  force: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Exit codes: 0 done, 1 the file cannot be edited (or the key exists without --force), 2 usage error. */
export async function run(args: string[], io: KeysIo = processIo): Promise<number> {
  const parsed = parseCommandLine(args, options, true);
  if (!parsed.ok) {
    io.stderr(`airlock keys: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed.value;
  const [action, consumer, ...extra] = positionals;
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  const { configDir } = directoriesFrom(values, io.env);
  const appFile = join(configDir, APP_FILE);
  if (action === 'create' && consumer !== undefined && extra.length === 0) {
    return create(io, appFile, consumer, values.force === true);
  }
  if (action === 'list' && consumer === undefined) return list(io, appFile);
  io.stderr(`airlock keys: expected "create CONSUMER" or "list"\n\n${USAGE}`);
  return 2;
}

async function create(io: KeysIo, appFile: string, consumer: string, force: boolean) {
  const text = await readIfPresent(appFile);
  const key = generateApiKey();
  const edit = setApiKeyHash(text ?? '', consumer, hashApiKey(key), { force });
  if (!edit.ok) {
    const why = {
      exists: `consumer ${consumer} already has a key; add --force to replace it`,
      'invalid-yaml': `${appFile} is not valid YAML; fix it first (airlock keys changes nothing)`,
      'not-a-mapping': `${appFile}: auth or auth.keys is not a mapping`,
      'bad-consumer': `consumer name must be 1-128 characters of A-Z a-z 0-9 _ . @ : -`,
    }[edit.reason];
    io.stderr(`airlock keys: ${why}\n`);
    return edit.reason === 'bad-consumer' ? 2 : 1;
  }
  await writeAtomically(appFile, edit.text);
  const settings = parseGatewaySettings(appFile, edit.text);
  const header = settings.ok ? settings.settings.auth.header : DEFAULT_API_KEY_HEADER;
  // The key alone on stdout (so `$(airlock keys create X)` captures it); guidance on stderr names no key.
  io.stdout(`${key}\n`);
  io.stderr(
    [
      `API key for consumer "${consumer}" (shown only now; ${appFile} keeps only its hash).`,
      `Send it with every request as one of:`,
      `  ${header}: <key>`,
      `  Authorization: Bearer <key>`,
      `e.g. claude mcp add --transport http airlock http://127.0.0.1:9000/mcp --header "${header}: <key>"`,
      ...(settings.ok && !settings.settings.auth.enabled
        ? ['Note: auth.enabled is false in app.yaml; set it to true to require keys.']
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}

async function list(io: KeysIo, appFile: string) {
  const text = await readIfPresent(appFile);
  const consumers = listKeyConsumers(text ?? '');
  if (consumers === undefined) {
    io.stderr(`airlock keys: ${appFile} is not valid YAML or auth.keys is not a mapping\n`);
    return 1;
  }
  io.stdout(consumers.map((name) => `${name}\n`).join(''));
  if (consumers.length === 0) io.stderr(`no API keys in ${appFile}\n`);
  return 0;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Write beside, then rename: a watcher never reads half a file, and the file keeps its mode. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const mode = await stat(file).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}
