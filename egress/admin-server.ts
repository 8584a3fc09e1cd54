// The egress's admin socket (`<data>/egress.sock`) for a gateway run apart: line-JSON `open`/`close` of server sockets.
import { chmod } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { clearStaleSocket } from './listeners.ts';

/**
 * Protocol, one JSON object per line each way, one reply per request, in order:
 *   → {"op":"open","server":"memory"}   ← {"ok":true,"path":"/data/sockets/memory.sock"}
 *   → {"op":"close","server":"memory"}  ← {"ok":true}
 *   → {"op":"ping"}                     ← {"ok":true}
 *   failures                            ← {"ok":false,"code":"EGRESS_LISTEN_FAILED","error":"…"}
 * Whoever can connect can open sockets, so the file is 0600: only the egress's own user.
 */
export type AdminRequest =
  | { readonly op: 'open'; readonly server: string }
  | { readonly op: 'close'; readonly server: string }
  | { readonly op: 'ping' };

export type AdminReply =
  | { readonly ok: true; readonly path?: string }
  | { readonly ok: false; readonly code: string; readonly error: string };

export interface AdminHandlers {
  openServerSocket(server: string): Promise<string>;
  closeServerSocket(server: string): Promise<void>;
}

export interface EgressAdmin {
  readonly path: string;
  close(): Promise<void>;
}

/** Requests are tiny; a longer line is a confused or hostile client. */
const MAX_LINE = 4_096;

/** Pure: a line of text → a request, or the reply that refuses it. */
export function parseAdminRequest(line: string): AdminRequest | AdminReply {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, code: 'ADMIN_BAD_REQUEST', error: 'request is not JSON' };
  }
  const request = value as { op?: unknown; server?: unknown } | null;
  if (request === null || typeof request !== 'object') {
    return { ok: false, code: 'ADMIN_BAD_REQUEST', error: 'request is not an object' };
  }
  if (request.op === 'ping') return { op: 'ping' };
  if (request.op !== 'open' && request.op !== 'close') {
    return {
      ok: false,
      code: 'ADMIN_BAD_REQUEST',
      error: `unknown op ${JSON.stringify(request.op)}`,
    };
  }
  if (typeof request.server !== 'string') {
    return { ok: false, code: 'ADMIN_BAD_REQUEST', error: `${request.op} needs a server name` };
  }
  return { op: request.op, server: request.server };
}

async function answer(request: AdminRequest, handlers: AdminHandlers): Promise<AdminReply> {
  try {
    if (request.op === 'ping') return { ok: true };
    if (request.op === 'open')
      return { ok: true, path: await handlers.openServerSocket(request.server) };
    await handlers.closeServerSocket(request.server);
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      code: typeof code === 'string' ? code : 'ADMIN_FAILED',
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function serve(socket: Socket, handlers: AdminHandlers): void {
  let buffered = '';
  // Replies keep request order even when an open is slower than the close after it.
  let queue: Promise<void> = Promise.resolve();
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE && !buffered.includes('\n')) {
      socket.end(
        `${JSON.stringify({ ok: false, code: 'ADMIN_BAD_REQUEST', error: 'line too long' })}\n`,
      );
      return;
    }
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (line === '') continue;
      const parsed = parseAdminRequest(line);
      queue = queue.then(async () => {
        const reply = 'op' in parsed ? await answer(parsed, handlers) : parsed;
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    }
  });
}

/** Listens on `path` (mode 0600) and answers open/close with the egress's own functions. */
export async function startEgressAdmin(
  path: string,
  handlers: AdminHandlers,
): Promise<EgressAdmin> {
  await clearStaleSocket(path);
  const server: Server = createServer((socket) => serve(socket, handlers));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
