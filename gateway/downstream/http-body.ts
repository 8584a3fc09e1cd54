// Reading a request body with a size cap, and the small JSON error answers the endpoint sends itself.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** 4 MiB, the SDK's own default: far above any tool call, small enough to bound memory per request. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly status: 400 | 413;
      readonly code: number;
      readonly message: string;
    };

/** Reads and parses a JSON body; too large → 413, unreadable JSON → 400 with JSON-RPC -32700. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) return tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return tooLarge(maxBytes);
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return {
      ok: false,
      status: 400,
      code: -32700,
      message: 'Parse error: the body is not valid JSON',
    };
  }
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    status: 413,
    code: -32600,
    message: `Request body larger than ${maxBytes} bytes`,
  };
}

/** A JSON-RPC error object with a null id: the shape the SDK uses for transport-level refusals. */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** The first value of a header that may repeat. */
export function headerValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
