// Exact bytes in, first response out: a raw socket client so nothing normalises an attack before the proxy sees it.
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawResponse {
  /** 0 when the proxy closed the connection without answering. */
  readonly status: number;
  /** Lower-case names; the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends `bytes` to `127.0.0.1:port` and reads one response: until its Content-Length is in, the
 * connection closes, or `timeoutMs` passes. A 200 to CONNECT returns at the end of its head.
 */
export function sendRaw(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 3_000,
  then?: SecondPart,
): Promise<RawResponse> {
  const tunnel = Buffer.from(bytes).subarray(0, 8).toString('latin1') === 'CONNECT ';
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(received));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received, tunnel)) finish();
    });
    socket.write(bytes);
    if (then) void writeWhen(then, () => !done && socket.write(then.bytes));
  });
}

/** More bytes, sent only once `ready()` holds (e.g. the origin saw the first part). */
export interface SecondPart {
  readonly ready: () => boolean;
  readonly bytes: string | Buffer;
}

async function writeWhen(part: SecondPart, write: () => void): Promise<void> {
  for (let waited = 0; !part.ready() && waited < 2_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  write();
}

function headEnd(data: Buffer): number {
  return data.indexOf('\r\n\r\n');
}

function isComplete(data: Buffer, tunnel: boolean): boolean {
  const end = headEnd(data);
  if (end < 0) return false;
  const parsed = parseResponse(data);
  const length = parsed.headers['content-length'];
  if (length !== undefined) return data.length - (end + 4) >= Number(length);
  if (parsed.headers['transfer-encoding'] === 'chunked')
    return data.subarray(-5).toString() === '0\r\n\r\n';
  // An established tunnel has no body to wait for; anything else is read until close.
  return tunnel && parsed.status === 200;
}

function parseResponse(data: Buffer): RawResponse {
  const end = headEnd(data);
  if (end < 0) return { status: 0, headers: {}, body: data.toString('latin1') };
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: data.subarray(end + 4).toString('utf8') };
}

/**
 * CONNECT through the proxy, then TLS to the origin inside the tunnel (verified against `ca`
 * for `servername`), then one GET: the body, or the reason it failed.
 */
export function getThroughTlsTunnel(options: {
  proxyPort: number;
  authority: string;
  auth: string;
  ca: string;
  servername: string;
  path: string;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const raw = connect(options.proxyPort, '127.0.0.1');
    raw.once('error', reject);
    raw.write(
      `CONNECT ${options.authority} HTTP/1.1\r\nHost: ${options.authority}\r\n${options.auth}\r\n`,
    );
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (headEnd(head) < 0) return;
      raw.off('data', onHead);
      const answer = parseResponse(head);
      if (answer.status !== 200) {
        raw.destroy();
        resolve({ status: answer.status, body: answer.body });
        return;
      }
      const secure = tlsConnect({ socket: raw, servername: options.servername, ca: options.ca });
      let response = '';
      secure.once('error', reject);
      secure.on('data', (data: Buffer) => {
        response += data.toString('utf8');
      });
      secure.once('end', () => {
        const parsed = parseResponse(Buffer.from(response, 'utf8'));
        secure.destroy();
        resolve({ status: parsed.status, body: parsed.body });
      });
      secure.write(
        `GET ${options.path} HTTP/1.1\r\nHost: ${options.authority}\r\nConnection: close\r\n\r\n`,
      );
    };
    raw.on('data', onHead);
  });
}
