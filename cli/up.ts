// `airlock up`: everything that exists, in one process. For now that is the egress; a default config is written on first run.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEgress } from '../egress/egress-service.ts';
import { type CommandIo, startEgressOrReport, untilSignal } from './egress.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

const USAGE = `usage: airlock up [--config DIR] [--data DIR] [--listen HOST:PORT]

  Runs what exists of Airlock in one process. Today that is the egress proxy only:
  the gateway (MCP endpoint) and the dashboard are not built yet.
  A default config (app.yaml, flows/example-allowlist.yaml) is written when DIR has none.
`;

export const DEFAULT_APP_YAML = `# Airlock configuration. Sections for the gateway (permissions, toolGroups, auth, …) come later.
egress:
  # enforce: deny what the flows deny. report: allow everything, record what would be denied.
  mode: enforce
  # What happens when no flow applies to a request. deny is the safe default for sandboxed servers.
  default: deny
  # TCP listener for clients outside a sandbox (they identify with Proxy-Authorization).
  listen: "127.0.0.1:8080"
  # The server a TCP client without credentials is taken to be (unset: such clients get 407).
  # anonymous: my-server
  # Private or loopback addresses the egress may dial anyway (CIDR, optional :port).
  allowAddresses: []
  # Names resolved here before DNS (private providers, tests): name: address or [addresses].
  hosts: {}
  # connectTimeoutSeconds: 10
  # idleTimeoutSeconds: 300
  # maxHeaderBytes: 16384
`;

export const EXAMPLE_ALLOWLIST_YAML = `# Short-form Lunar flow: the first Filter's hit lets a request through,
# its miss is answered by the GenerateResponse below (403 "Forbidden Access").
# Patterns are anchored: host and path are matched apart; *.x matches subdomains of x, not x.
AllowFilter:
  processor: Filter
  parameters:
    - key: urls
      value:
        - api.slack.com/*
        - "*.googleapis.com/*"
GenerateResponseForbidden:
  processor: GenerateResponse
  parameters:
    - key: status
      value: 403
    - key: body
      value: "Forbidden Access"
    - key: Content-Type
      value: text/plain
`;

/** Writes the default config when the directory has neither app.yaml nor flows/; returns whether it did. */
export async function writeDefaultConfig(configDir: string): Promise<boolean> {
  if (existsSync(join(configDir, 'app.yaml')) || existsSync(join(configDir, 'flows'))) return false;
  await mkdir(join(configDir, 'flows'), { recursive: true });
  await writeFile(join(configDir, 'app.yaml'), DEFAULT_APP_YAML, { flag: 'wx' });
  await writeFile(join(configDir, 'flows', 'example-allowlist.yaml'), EXAMPLE_ALLOWLIST_YAML, {
    flag: 'wx',
  });
  return true;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function run(args: string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { ...directoryOptions, listen: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    false,
  );
  if (!parsed.ok) {
    io.stderr(`airlock up: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed.value;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const { configDir, dataDir } = directoriesFrom(values);
  if (await writeDefaultConfig(configDir)) {
    io.stdout(
      `airlock up: wrote a default configuration to ${configDir} (app.yaml, flows/example-allowlist.yaml)\n`,
    );
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
  io.stdout(
    [
      `airlock up: egress proxy listening on ${egress.url}`,
      'airlock up: only the egress runs for now: the gateway (MCP endpoint) and the dashboard do not exist yet.',
      `airlock up: TCP clients identify with Proxy-Authorization; see \`airlock egress token SERVER\`.`,
      '',
    ].join('\n'),
  );
  const signal = await untilSignal();
  io.stdout(`airlock up: ${signal}, closing\n`);
  await egress.close();
  return 0;
}
