// Small proxy clients for e2e tests: absolute-form HTTP and CONNECT + TLS over TCP or a server's Unix socket, raw bytes, curl.
import { spawn } from 'node:child_process';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Where the proxy is: its TCP port on 127.0.0.1, or a server's Unix socket. */
export type Via = { readonly port: number } | { readonly socketPath: string };

export interface SimpleResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function dial(via: Via): Socket {
  return 'port' in via
    ? connect({ host: '127.0.0.1', port: via.port })
    : connect({ path: via.socketPath });
}

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/** An absolute-form request (`GET http://host/path`) sent to the proxy. */
export function proxyRequest(
  via: Via,
  method: string,
  url: string,
  options: { headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      ...('port' in via ? { host: '127.0.0.1', port: via.port } : { socketPath: via.socketPath }),
      method,
      path: url,
      headers: { host: new URL(url).host, ...options.headers },
      agent: false,
    });
    req.on('response', (res) => {
      collect(res).then(
        (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
        reject,
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Parses the head of a raw HTTP/1.1 response. */
export function parseHead(text: string): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine.split(' ')[1] ?? 0),
    headers,
    body: split < 0 ? '' : text.slice(split + 4),
  };
}

/** Writes raw bytes, reads until the proxy closes (or the timeout), returns the text. */
export function rawExchange(via: Via, bytes: string | Buffer, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = dial(via);
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(bytes);
  });
}

export interface TunnelResult {
  /** The proxy's answer to CONNECT (body filled in when it refused). */
  readonly connect: { status: number; headers: Record<string, string>; body: string };
  /** The origin's answer through the tunnel, when the tunnel opened. */
  readonly response?: SimpleResponse;
}

/** CONNECT authority, then (if 200) a TLS GET of `path` through the tunnel to `servername`. */
export function tunnelRequest(
  via: Via,
  authority: string,
  options: {
    ca: string;
    servername: string;
    path?: string;
    connectHeaders?: Record<string, string>;
  },
): Promise<TunnelResult> {
  return new Promise((resolve, reject) => {
    const socket = dial(via);
    const extra = Object.entries(options.connectHeaders ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${extra}\r\n`);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = parseHead(buffered.subarray(0, end + 4).toString('latin1'));
      if (head.status !== 200) {
        socket.off('data', onData);
        const rest = buffered.subarray(end + 4);
        collect(socket).then(
          (more) => resolve({ connect: { ...head, body: rest.toString('utf8') + more } }),
          reject,
        );
        return;
      }
      socket.off('data', onData);
      const tls = tlsConnect({ socket, servername: options.servername, ca: options.ca });
      const req = httpsRequest({
        host: options.servername,
        path: options.path ?? '/',
        agent: false,
        createConnection: () => tls,
        headers: { host: options.servername, connection: 'close' },
      });
      req.on('response', (res) => {
        collect(res).then(
          (body) =>
            resolve({
              connect: head,
              response: { status: res.statusCode ?? 0, headers: res.headers, body },
            }),
          reject,
        );
      });
      req.on('error', reject);
      req.end();
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command with a clean proxy environment; never through a shell. */
export function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    for (const name of [
      'HTTP_PROXY',
      'HTTPS_PROXY',
      'http_proxy',
      'https_proxy',
      'ALL_PROXY',
      'all_proxy',
      'NO_PROXY',
      'no_proxy',
    ]) {
      delete base[name];
    }
    const child = spawn(command, [...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
