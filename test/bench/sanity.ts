// Before measuring a target: one GET and one tunnel through it must reach the origin, or its figures mean nothing.
import { request } from 'node:http';
import { LOOPBACK } from './net-util.ts';
import type { Target } from './target.ts';
import { drain, openTunnel } from './tunnel.ts';

const EXPECTED_BODY = 'hello from the airlock bench origin\n';

function get(target: Target, originPort: number): Promise<{ status: number; body: string }> {
  const authority = `${target.originHost}:${originPort}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: LOOPBACK,
        port: target.proxied ? target.port : originPort,
        path: target.proxied ? `http://${authority}/` : '/',
        headers: { host: authority },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('GET timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Throws with what went wrong when the target does not pass a GET and a small tunnel through. */
export async function checkTarget(
  target: Target,
  httpPort: number,
  tcpPort: number,
): Promise<void> {
  const answer = await get(target, httpPort);
  if (answer.status !== 200 || answer.body !== EXPECTED_BODY) {
    throw new Error(
      `GET through ${target.name}: ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}`,
    );
  }
  const socket = await openTunnel(target, tcpPort);
  const received = await drain(socket, 1000, 10_000);
  socket.destroy();
  if (received !== 1000)
    throw new Error(`tunnel through ${target.name}: ${received} of 1000 bytes`);
}
