// `airlock egress`: runs the egress proxy until SIGINT/SIGTERM; `airlock egress token SERVER` prints TCP credentials.
import { join } from 'node:path';
import { startEgressAdmin } from '../egress/admin-server.ts';
import { loadEgressConfig } from '../egress/egress-config.ts';
import { type Egress, startEgress } from '../egress/egress-service.ts';
import { EgressError } from '../egress/errors.ts';
import {
  identityToken,
  loadOrCreateEgressSecret,
  proxyAuthorizationFor,
  SERVER_NAME,
} from '../egress/identity.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

const USAGE = `usage: airlock egress [--config DIR] [--data DIR] [--listen HOST:PORT]
       airlock egress token SERVER [--config DIR] [--data DIR]

  --config  configuration directory (default: $AIRLOCK_CONFIG, else ./config)
  --data    data directory: identity secret, sockets, telemetry (default: $AIRLOCK_DATA, else ./data)
  --listen  TCP listener, overrides egress.listen (default 127.0.0.1:8080; port 0 picks one)

  token SERVER  prints the Proxy-Authorization credentials a TCP client of SERVER sends
`;

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The real terminal; tests pass their own. */
export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Resolves at the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Starts the egress, reporting a configuration that cannot start as file:line lines; undefined then. */
export async function startEgressOrReport(
  start: () => Promise<Egress>,
  io: CommandIo,
): Promise<Egress | undefined> {
  try {
    return await start();
  } catch (error) {
    // Every expected failure (config, listen, secret, telemetry store) is a coded error: one clear line each.
    if (
      error instanceof EgressError ||
      (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
    ) {
      io.stderr(`airlock egress: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}

async function printToken(
  server: string,
  configDir: string,
  dataDir: string,
  io: CommandIo,
): Promise<number> {
  if (!SERVER_NAME.test(server)) {
    io.stderr(
      `airlock egress token: ${JSON.stringify(server)} is not a server name ([A-Za-z0-9_.-], 1-64)\n`,
    );
    return 2;
  }
  const secret = loadOrCreateEgressSecret(dataDir);
  const token = identityToken(secret, server);
  const config = await loadEgressConfig(configDir);
  const listen = config.ok ? config.config.listen : '127.0.0.1:8080';
  io.stdout(
    [
      `user:                ${server}`,
      `password:            ${token}`,
      `Proxy-Authorization: ${proxyAuthorizationFor(secret, server)}`,
      `proxy URL:           http://${server}:${token}@${listen}`,
      '',
    ].join('\n'),
  );
  return 0;
}

export async function run(args: string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { ...directoryOptions, listen: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (!parsed.ok) {
    io.stderr(`airlock egress: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed.value;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const { configDir, dataDir } = directoriesFrom(values);
  const [sub, ...rest] = positionals;
  if (sub === 'token') {
    if (rest.length !== 1) {
      io.stderr(`airlock egress token: name exactly one server\n\n${USAGE}`);
      return 2;
    }
    return printToken(rest[0]!, configDir, dataDir, io);
  }
  if (sub !== undefined) {
    io.stderr(`airlock egress: unknown argument '${sub}'\n\n${USAGE}`);
    return 2;
  }

  const egress = await startEgressOrReport(
    () =>
      startEgress({
        configDir,
        dataDir,
        ...(values.listen === undefined ? {} : { listen: values.listen }),
      }),
    io,
  );
  if (egress === undefined) return 1;
  // Run apart (compose), the gateway asks here for each server's socket.
  let admin: Awaited<ReturnType<typeof startEgressAdmin>>;
  try {
    admin = await startEgressAdmin(join(dataDir, 'egress.sock'), egress);
  } catch (error) {
    io.stderr(`airlock egress: ${error instanceof Error ? error.message : String(error)}\n`);
    await egress.close();
    return 1;
  }
  io.stdout(
    `airlock egress: proxy listening on ${egress.url} (config ${configDir}, data ${dataDir}); admin socket ${admin.path}\n`,
  );
  const signal = await untilSignal();
  io.stdout(`airlock egress: ${signal}, closing\n`);
  await admin.close();
  await egress.close();
  return 0;
}
