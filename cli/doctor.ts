// `airlock doctor`: what works on this machine (sandbox backends, ports, config, data dir), one readable line per check.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildConfiguration } from '../egress/config-reload.ts';
import { readConfigFiles } from '../egress/flows-directory.ts';
import { loadGatewayConfig } from '../gateway/config/load-config.ts';
import { probeBwrap } from '../gateway/sandbox/bwrap-probe.ts';
import { probeDocker } from '../gateway/sandbox/select-launcher.ts';
import { type CommandIo, processIo } from './egress.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

const USAGE = `usage: airlock doctor [--config DIR] [--data DIR]

  Checks what Airlock needs here: a sandbox backend (bubblewrap or Docker), free ports,
  a valid configuration and a writable data dir. Exits 0 when everything needed works.
`;

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Whether a failure stops `airlock up` (docker missing is fine when bwrap works). */
  readonly required: boolean;
}

/** Pure: the lines to print and the exit code, from the checks made. */
export function doctorReport(checks: readonly Check[]): { lines: string[]; code: number } {
  const lines = checks.map(
    (c) => `${c.ok ? 'ok  ' : c.required ? 'FAIL' : 'no  '} ${c.name}: ${c.detail}`,
  );
  const failed = checks.filter((c) => c.required && !c.ok);
  lines.push(
    failed.length === 0
      ? 'airlock doctor: everything needed works'
      : `airlock doctor: ${failed.length} problem(s)`,
  );
  return { lines, code: failed.length === 0 ? 0 : 1 };
}

/** `host:port` free to listen on now (tried and released at once). */
function portFree(listen: string): Promise<{ ok: boolean; detail: string }> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(at + 1));
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, detail: `${listen} is taken (${error.code ?? error.message})` }),
    );
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve({ ok: true, detail: `${listen} is free` }));
    });
  });
}

async function dataDirWritable(dataDir: string): Promise<{ ok: boolean; detail: string }> {
  const probe = join(dataDir, `.doctor-${randomUUID()}`);
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe);
    return { ok: true, detail: `${dataDir} is writable` };
  } catch (error) {
    return { ok: false, detail: `${dataDir} is not writable: ${(error as Error).message}` };
  }
}

export async function runChecks(configDir: string, dataDir: string): Promise<Check[]> {
  const [bwrap, docker] = await Promise.all([probeBwrap(), probeDocker(dataDir)]);
  const checks: Check[] = [
    { name: 'sandbox bwrap', ok: bwrap.ok, detail: bwrap.reason, required: false },
    { name: 'sandbox docker', ok: docker.ok, detail: docker.reason, required: false },
    {
      name: 'sandbox (auto)',
      ok: bwrap.ok || docker.ok,
      detail: bwrap.ok
        ? 'servers run in bwrap'
        : docker.ok
          ? 'servers run in Docker'
          : 'no backend: install bubblewrap (apt-get install bubblewrap) or start a Docker engine',
      required: true,
    },
  ];
  const gateway = await loadGatewayConfig(configDir);
  checks.push({
    name: 'gateway config',
    ok: gateway.ok,
    detail: gateway.ok
      ? `${Object.keys(gateway.config.servers).length} server(s) in ${configDir}`
      : gateway.errors.map((error) => error.message).join('; '),
    required: true,
  });
  const egress = buildConfiguration(await readConfigFiles(configDir));
  checks.push({
    name: 'egress config and flows',
    ok: egress.ok,
    detail: egress.ok
      ? `${egress.configuration.flows.flows.length} flow(s) compile`
      : egress.errors.join('; '),
    required: true,
  });
  const listens = [
    ...(gateway.ok
      ? [
          gateway.config.settings.listen.mcp,
          gateway.config.settings.listen.dashboard,
          gateway.config.settings.listen.metrics,
        ]
      : ['127.0.0.1:9000', '127.0.0.1:5173', '127.0.0.1:3000']),
    egress.ok ? egress.configuration.egress.listen : '127.0.0.1:8080',
  ];
  for (const listen of listens) {
    const port = await portFree(listen);
    checks.push({ name: `port ${listen}`, ...port, required: true });
  }
  checks.push({ name: 'data dir', ...(await dataDirWritable(dataDir)), required: true });
  return checks;
}

export async function run(args: string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { ...directoryOptions, help: { type: 'boolean', short: 'h' } },
    false,
  );
  if (!parsed.ok) {
    io.stderr(`airlock doctor: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.value.values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const { configDir, dataDir } = directoriesFrom(parsed.value.values);
  const report = doctorReport(await runChecks(configDir, dataDir));
  io.stdout(`${report.lines.join('\n')}\n`);
  return report.code;
}
