import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRelatedRequestFetch,
  relatedRequestKey,
  retagMessage,
} from './related-request-fetch.ts';

describe('retagMessage', () => {
  const forged = { params: { _meta: { [relatedRequestKey]: 99 } } };
  it.each([
    [
      'tags a server request with the POST it arrived on',
      { jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: { message: 'q' } },
      7,
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'elicitation/create',
        params: { message: 'q', _meta: { [relatedRequestKey]: 7 } },
      },
    ],
    [
      'tags a log notification',
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } },
      7,
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 'x', _meta: { [relatedRequestKey]: 7 } },
      },
    ],
    [
      'replaces a marker the server forged',
      { jsonrpc: '2.0', method: 'notifications/message', ...forged },
      7,
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { _meta: { [relatedRequestKey]: 7 } },
      },
    ],
    [
      'removes a forged marker on the GET stream',
      { jsonrpc: '2.0', method: 'notifications/message', ...forged },
      undefined,
      { jsonrpc: '2.0', method: 'notifications/message', params: {} },
    ],
    [
      'leaves responses alone',
      { jsonrpc: '2.0', id: 7, result: {} },
      7,
      { jsonrpc: '2.0', id: 7, result: {} },
    ],
    [
      'leaves progress alone (it has its own token)',
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 7, progress: 1 },
      },
      7,
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 7, progress: 1 },
      },
    ],
  ] as const)('%s', (_what, message, related, expected) => {
    expect(JSON.parse(retagMessage(JSON.stringify(message), related))).toEqual(expected);
  });

  it('passes data that is not JSON through unchanged', () => {
    expect(retagMessage('not json', 1)).toBe('not json');
  });
});

describe('createRelatedRequestFetch', () => {
  let server: Server;
  let url: string;
  let mode: 'complete' | 'abort' = 'complete';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const request = { jsonrpc: '2.0', id: 5, method: 'sampling/createMessage', params: {} };
      const event = `event: message\r\nid: e1\r\ndata: ${JSON.stringify(request)}\r\n\r\n`;
      // Split mid-line and mid-event, as a network would.
      res.write(event.slice(0, 17));
      setTimeout(() => {
        res.write(event.slice(17));
        if (mode === 'abort') {
          res.socket?.destroy();
          return;
        }
        res.end(`data: ${JSON.stringify({ jsonrpc: '2.0', id: 3, result: {} })}\n\n`);
      }, 10);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call' }),
  };

  it('tags every event of a POST stream with the request id, keeping event fields', async () => {
    mode = 'complete';
    const broken: (string | number)[] = [];
    const response = await createRelatedRequestFetch({ onStreamBroken: (id) => broken.push(id) })(
      url,
      post,
    );
    const text = await response.text();
    expect(text).toContain('event: message\nid: e1\ndata: ');
    expect(text).toContain(`"_meta":{"${relatedRequestKey}":3}`);
    expect(text).toContain('{"jsonrpc":"2.0","id":3,"result":{}}');
    expect(broken).toEqual([]);
  });

  it('reports a POST stream that breaks before its response', async () => {
    mode = 'abort';
    const broken: (string | number)[] = [];
    const response = await createRelatedRequestFetch({ onStreamBroken: (id) => broken.push(id) })(
      url,
      post,
    );
    await response.text().catch(() => '');
    expect(broken).toEqual([3]);
  });
});
