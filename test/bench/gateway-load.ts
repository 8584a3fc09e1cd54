// Load generator of the gateway bench, run as its own process: `node gateway-load.ts '<job json>'` prints one JSON result line.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { LoadRun } from './gateway-stats.ts';

/** `call`: N sessions call one tool in a closed loop for a fixed time. `list`: one session lists tools repeatedly. */
export type LoadJob =
  | {
      readonly mode: 'call';
      readonly url: string;
      readonly tool: string;
      readonly sessions: number;
      readonly warmupMs: number;
      readonly durationMs: number;
    }
  | {
      readonly mode: 'list';
      readonly url: string;
      readonly warmup: number;
      readonly iterations: number;
      /** The listing must hold at least this many tools, or the run fails (a server did not start). */
      readonly minTools: number;
    };

export interface ListRun {
  /** Raw HTTP POST of tools/list, body read to the end: the gateway's time plus one loopback round trip. */
  readonly raw: LoadRun;
  /** The same through the SDK `Client.listTools` (adds the client's schema validation of the reply). */
  readonly sdk: LoadRun;
  readonly tools: number;
}

const PROTOCOL = '2025-11-25';
/** Stop a session's loop after this many failures: a broken target must not spin the CPU for the whole window. */
const MAX_ERRORS = 100;

async function connect(url: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const nowUs = () => performance.now() * 1000;

async function runCalls(job: Extract<LoadJob, { mode: 'call' }>): Promise<LoadRun> {
  const clients = await Promise.all(
    Array.from({ length: job.sessions }, (_, i) => connect(job.url, `bench-${i}`)),
  );
  const listed = await clients[0]!.listTools();
  if (!listed.tools.some((tool) => tool.name === job.tool)) {
    const names = listed.tools.map((tool) => tool.name).slice(0, 10);
    throw new Error(`tool ${job.tool} not listed at ${job.url} (saw ${names.join(', ')})`);
  }
  const cpuStart = process.cpuUsage();
  const startUs = nowUs();
  const measureFromUs = startUs + job.warmupMs * 1000;
  const endUs = measureFromUs + job.durationMs * 1000;
  const samplesUs: number[] = [];
  let errors = 0;
  let completed = 0;
  let firstError: string | undefined;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };
  const loop = async (client: Client, index: number) => {
    let failures = 0;
    for (let n = 0; nowUs() < endUs && failures < MAX_ERRORS; n++) {
      const from = nowUs();
      try {
        const result = await client.callTool({
          name: job.tool,
          arguments: { text: `s${index}c${n}` },
        });
        const to = nowUs();
        if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
        completed++;
        // Only calls that both start after warm-up and end inside the window count.
        if (from >= measureFromUs && to <= endUs) samplesUs.push(to - from);
      } catch (error) {
        failures++;
        if (from >= measureFromUs) fail((error as Error).message);
      }
    }
  };
  await Promise.all(clients.map(loop));
  const cpu = process.cpuUsage(cpuStart);
  await Promise.all(clients.map((client) => client.close()));
  return {
    samplesUs,
    measuredMs: job.durationMs,
    errors,
    totalCalls: completed,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    windowMs: (nowUs() - startUs) / 1000,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  return { response, text };
}

/** Number of tools in a tools/list reply, sent as JSON or as one SSE `data:` line. */
function toolsIn(text: string): number {
  const data = text.trimStart().startsWith('{')
    ? text
    : text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5))
        .join('');
  const reply = JSON.parse(data) as { result?: { tools?: unknown[] } };
  return reply.result?.tools?.length ?? 0;
}

/** Times `count` repetitions of `once` after `warmup` untimed ones. */
async function timeRepeated(warmup: number, count: number, once: () => Promise<void>) {
  for (let i = 0; i < warmup; i++) await once();
  const samplesUs: number[] = [];
  const start = nowUs();
  for (let i = 0; i < count; i++) {
    const from = nowUs();
    await once();
    samplesUs.push(nowUs() - from);
  }
  return { samplesUs, measuredMs: (nowUs() - start) / 1000, errors: 0 };
}

async function runList(job: Extract<LoadJob, { mode: 'list' }>): Promise<ListRun> {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: PROTOCOL,
      capabilities: {},
      clientInfo: { name: 'bench-raw', version: '1.0.0' },
    },
  };
  const opened = await post(job.url, initialize, {});
  const sessionId = opened.response.headers.get('mcp-session-id');
  if (sessionId === null) throw new Error('initialize returned no mcp-session-id');
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL };
  await post(job.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  let id = 1;
  let lastText = '';
  const raw = await timeRepeated(job.warmup, job.iterations, async () => {
    lastText = (await post(job.url, { jsonrpc: '2.0', id: ++id, method: 'tools/list' }, headers))
      .text;
  });
  const tools = toolsIn(lastText);
  if (tools < job.minTools)
    throw new Error(`tools/list held ${tools} tools, ${job.minTools} expected`);
  const client = await connect(job.url, 'bench-sdk');
  const sdk = await timeRepeated(job.warmup, job.iterations, async () => {
    await client.listTools();
  });
  await client.close();
  return { raw, sdk, tools };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
  const result = job.mode === 'call' ? await runCalls(job) : await runList(job);
  // Stdout is a pipe, written asynchronously: exit only once the whole line is out.
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(`${JSON.stringify(result)}\n`, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`gateway-load: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
}
