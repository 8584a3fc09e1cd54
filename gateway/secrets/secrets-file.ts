// The secrets file (`<config>/secrets.env`): NAME=value lines, read only when no one else can read it.
import { readFile, stat } from 'node:fs/promises';
import { SecretError } from '../errors.ts';
import type { SecretProvider } from './secret-provider.ts';

export const SECRETS_FILE = 'secrets.env';

export type SecretsFileParse =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string> }
  /** Line numbers only: a malformed line may hold a secret, so its text is never repeated. */
  | { readonly ok: false; readonly badLines: readonly number[] };

const assignment = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/** Pure: `NAME=value`, `# comments`, blank lines, optional `export `, optional '…' or "…" quotes. */
export function parseSecretsFile(text: string): SecretsFileParse {
  const values = new Map<string, string>();
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = assignment.exec(line);
    if (!match) {
      badLines.push(index + 1);
      return;
    }
    const [, name = '', rest = ''] = match;
    const value = unquote(rest);
    if (value === undefined) badLines.push(index + 1);
    else values.set(name, value);
  });
  return badLines.length > 0 ? { ok: false, badLines } : { ok: true, values };
}

function unquote(rest: string): string | undefined {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const end = rest.indexOf(quote, 1);
    if (end < 0) return undefined;
    const after = rest.slice(end + 1).trim();
    if (after !== '' && !after.startsWith('#')) return undefined;
    const inner = rest.slice(1, end);
    return quote === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  // Unquoted: a ` #` starts a comment; a `#` inside the value (e.g. in a password) is kept.
  return rest.replace(/\s+#.*$/, '').trim();
}

/**
 * Reads the file at every lookup, so an edited file is used at the next server start.
 * A missing file has no secrets; a file readable by group or others is refused.
 */
export function fileSecretProvider(path: string): SecretProvider {
  return {
    name: 'secrets file',
    async get(name) {
      const values = await readSecretsFile(path);
      return values?.get(name);
    },
  };
}

async function readSecretsFile(path: string): Promise<ReadonlyMap<string, string> | undefined> {
  let mode: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new SecretError('GATEWAY_SECRET_INSECURE', path, `${path} is not a regular file`);
    }
    mode = info.mode;
  } catch (error) {
    if (error instanceof SecretError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(path, error);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8);
    throw new SecretError(
      'GATEWAY_SECRET_INSECURE',
      path,
      `${path} is readable by others (mode ${octal}); run: chmod 600 ${path}`,
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
  const parsed = parseSecretsFile(text);
  if (!parsed.ok) {
    const lines = parsed.badLines.join(', ');
    throw new SecretError(
      'GATEWAY_SECRET_PROVIDER_FAILED',
      path,
      `${path}: line ${lines} is not NAME=value`,
    );
  }
  return parsed.values;
}

function unreadable(path: string, error: unknown): SecretError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new SecretError(
    'GATEWAY_SECRET_PROVIDER_FAILED',
    path,
    `${path} cannot be read (${code})`,
  );
}
