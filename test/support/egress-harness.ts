// Starts a real egress in-process on an ephemeral port, with a temp config/data dir and a sink that keeps every record.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import type { EgressRecord } from '../../egress/egress-record.ts';
import { type Egress, type StartEgressOptions, startEgress } from '../../egress/egress-service.ts';

export interface TestEgressOptions {
  /** The `egress:` section (listen defaults to 127.0.0.1:0). */
  readonly egress?: Record<string, unknown>;
  /** Flow files by name (`allow.yaml` → text). */
  readonly flows?: Readonly<Record<string, string>>;
  readonly upstreamCa?: string;
  /** Fallback poll of the config dir; short in tests so reloads are quick even without fs events. */
  readonly pollMs?: number;
}

export interface ReloadEvent {
  readonly result: 'success' | 'failure';
  readonly errors: readonly string[];
}

export interface TestEgress {
  readonly egress: Egress;
  readonly configDir: string;
  readonly dataDir: string;
  /** Every record the proxy emitted, in order. */
  readonly records: EgressRecord[];
  readonly reloads: ReloadEvent[];
  writeFlow(name: string, text: string): void;
  writeApp(egress: Record<string, unknown>): void;
  /** Resolves once `count` records exist (records of tunnels arrive when both sides closed). */
  waitForRecords(count: number, timeoutMs?: number): Promise<EgressRecord[]>;
  waitForReloads(count: number, timeoutMs?: number): Promise<ReloadEvent[]>;
  close(): Promise<void>;
}

export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function appYaml(egress: Record<string, unknown>): string {
  return stringify({ egress: { listen: '127.0.0.1:0', ...egress } });
}

export async function startTestEgress(options: TestEgressOptions = {}): Promise<TestEgress> {
  const root = mkdtempSync(join(tmpdir(), 'airlock-egress-test-'));
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  mkdirSync(join(configDir, 'flows'), { recursive: true });
  writeFileSync(join(configDir, 'app.yaml'), appYaml(options.egress ?? {}));
  for (const [name, text] of Object.entries(options.flows ?? {})) {
    writeFileSync(join(configDir, 'flows', name), text);
  }
  const records: EgressRecord[] = [];
  const reloads: ReloadEvent[] = [];
  const startOptions: StartEgressOptions = {
    configDir,
    dataDir,
    logger: pino({ level: 'silent' }),
    sink: (record) => records.push(record),
    onReload: (event) => reloads.push(event),
    // Tests never reach DNS: a name not in egress.hosts does not resolve.
    lookup: async (host) => {
      throw Object.assign(new Error(`test lookup refused for ${host}`), { code: 'ENOTFOUND' });
    },
    pollMs: options.pollMs ?? 200,
    debounceMs: 30,
    ...(options.upstreamCa === undefined ? {} : { upstreamCa: options.upstreamCa }),
  };
  let egress: Egress;
  try {
    egress = await startEgress(startOptions);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    egress,
    configDir,
    dataDir,
    records,
    reloads,
    writeFlow: (name, text) => writeFileSync(join(configDir, 'flows', name), text),
    writeApp: (section) => writeFileSync(join(configDir, 'app.yaml'), appYaml(section)),
    async waitForRecords(count, timeoutMs) {
      await waitUntil(
        () => records.length >= count,
        `${count} records (have ${records.length})`,
        timeoutMs,
      );
      return records;
    },
    async waitForReloads(count, timeoutMs) {
      await waitUntil(
        () => reloads.length >= count,
        `${count} reloads (have ${reloads.length})`,
        timeoutMs,
      );
      return reloads;
    },
    async close() {
      await egress.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
