// The gateway's side of the egress admin socket, for `airlock gateway` run apart from `airlock egress`.
import { connect } from 'node:net';
import type { EgressSockets } from './egress-sockets.ts';

/** The admin socket refused or failed a request; `code` is the egress's (e.g. EGRESS_LISTEN_FAILED). */
export class EgressAdminError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EgressAdminError';
    this.code = code;
  }
}

interface Reply {
  readonly ok: boolean;
  readonly path?: string;
  readonly code?: string;
  readonly error?: string;
}

/** One request per connection: nothing to keep alive or reconnect when the egress restarts. */
function request(path: string, body: Record<string, string>, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let text = '';
    const fail = (code: string, message: string, cause?: unknown) => {
      socket.destroy();
      reject(new EgressAdminError(code, message, { cause }));
    };
    socket.setTimeout(timeoutMs, () =>
      fail('ADMIN_TIMEOUT', `egress admin socket ${path} did not answer in ${timeoutMs} ms`),
    );
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify(body)}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      socket.end();
      try {
        resolve(JSON.parse(text.slice(0, newline)) as Reply);
      } catch (error) {
        fail('ADMIN_BAD_REPLY', `egress admin socket ${path} sent a reply that is not JSON`, error);
      }
    });
    socket.once('error', (error) =>
      fail(
        'ADMIN_UNREACHABLE',
        `cannot reach the egress admin socket ${path}: ${error.message}`,
        error,
      ),
    );
    socket.once('end', () => {
      if (!text.includes('\n'))
        fail('ADMIN_BAD_REPLY', `egress admin socket ${path} closed without a reply`);
    });
  });
}

function orThrow(reply: Reply): Reply {
  if (reply.ok) return reply;
  throw new EgressAdminError(
    reply.code ?? 'ADMIN_FAILED',
    reply.error ?? 'the egress refused the request',
  );
}

/** Checks the egress answers, then returns its per-server socket functions (the same shape as the in-process egress's). */
export async function connectEgressAdmin(
  path: string,
  options: { timeoutMs?: number } = {},
): Promise<EgressSockets> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  orThrow(await request(path, { op: 'ping' }, timeoutMs));
  return {
    async openServerSocket(server) {
      const reply = orThrow(await request(path, { op: 'open', server }, timeoutMs));
      if (typeof reply.path !== 'string') {
        throw new EgressAdminError(
          'ADMIN_BAD_REPLY',
          `egress admin socket ${path} opened no path for '${server}'`,
        );
      }
      return reply.path;
    },
    async closeServerSocket(server) {
      orThrow(await request(path, { op: 'close', server }, timeoutMs));
    },
  };
}
