// Starts the bench origin in its own process and learns its ports.
import { fileURLToPath } from 'node:url';
import { captureOutput, spawnTracked } from './children.ts';

export interface Origin {
  readonly httpPort: number;
  readonly tcpPort: number;
  /** Requests the HTTP origin answered and TCP connections it accepted so far. */
  stats(): Promise<{ http: number; tcp: number }>;
}

const script = fileURLToPath(new URL('./origin-process.ts', import.meta.url));

export async function startOrigin(): Promise<Origin> {
  const child = spawnTracked(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const ports = await new Promise<{ http: number; tcp: number }>((resolve, reject) => {
    let line = '';
    const timer = setTimeout(() => reject(new Error('origin did not start in 10 s')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      line += chunk.toString('utf8');
      const end = line.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(0, end)) as { http: number; tcp: number });
    });
    child.once('exit', (code) => reject(new Error(`origin exited (${code}): ${output()}`)));
  });
  return {
    httpPort: ports.http,
    tcpPort: ports.tcp,
    async stats() {
      const response = await fetch(`http://127.0.0.1:${ports.http}/__stats`);
      return (await response.json()) as { http: number; tcp: number };
    },
  };
}
