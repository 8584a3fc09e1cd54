import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerToolsList,
  plainToolsListId,
  registerListView,
  toolsJson,
} from './list-fast-path.ts';
import type { SessionCatalog } from './session-catalog.ts';

function catalogOf(names: string[]): SessionCatalog {
  return {
    tools: names.map((name) => ({
      name,
      description: `${name} – ✓ non-ASCII`,
      inputSchema: { type: 'object' },
    })),
  } as unknown as SessionCatalog;
}

describe('plainToolsListId', () => {
  it.each([
    ['takes a numbered tools/list', { jsonrpc: '2.0', id: 3, method: 'tools/list' }, 3],
    ['takes a string id', { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: {} }, 'a'],
    [
      'takes a list with a cursor',
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'x' } },
      1,
    ],
    ['refuses another method', { jsonrpc: '2.0', id: 1, method: 'tools/call' }, undefined],
    ['refuses a batch', [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }], undefined],
    ['refuses a notification (no id)', { jsonrpc: '2.0', method: 'tools/list' }, undefined],
    ['refuses a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'tools/list' }, undefined],
    ['refuses a null id', { jsonrpc: '2.0', id: null, method: 'tools/list' }, undefined],
    ['refuses a wrong jsonrpc version', { jsonrpc: '1.0', id: 1, method: 'tools/list' }, undefined],
    [
      'refuses non-object params',
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: 5 },
      undefined,
    ],
  ])('%s', (_, body, expected) => {
    expect(plainToolsListId(body)).toBe(expected);
  });
});

describe('toolsJson', () => {
  it('serialises a view once and a new view again', () => {
    const view = catalogOf(['a']);
    const first = toolsJson(view);
    expect(toolsJson(view)).toBe(first);
    expect(JSON.parse(first.toString())).toEqual(view.tools);
    expect(JSON.parse(toolsJson(catalogOf(['b'])).toString())[0].name).toBe('b');
  });
});

describe('answerToolsList', () => {
  let http: HttpServer | undefined;
  afterEach(() => http?.close());

  async function post(
    server: Server,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ answered: boolean; status: number; type: string | null; text: string }> {
    let answered = false;
    http = createServer((req, res) => {
      answered = answerToolsList(req, res, server, 'sid-1', body);
      if (!answered) res.writeHead(299).end();
    });
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    return {
      answered,
      status: response.status,
      type: response.headers.get('content-type'),
      text: await response.text(),
    };
  }

  const good = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  };

  it('answers a plain tools/list with the current view as JSON', async () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    let view = catalogOf(['one']);
    registerListView(server, () => view);
    view = catalogOf(['two']);
    const answer = await post(server, { jsonrpc: '2.0', id: 9, method: 'tools/list' }, good);
    expect(answer).toMatchObject({ answered: true, status: 200, type: 'application/json' });
    expect(JSON.parse(answer.text)).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { tools: view.tools },
    });
  });

  it.each([
    ['an Accept without text/event-stream', { ...good, accept: 'application/json' }],
    ['a non-JSON content type', { ...good, 'content-type': 'text/plain' }],
  ])('leaves %s to the SDK', async (_, headers) => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    registerListView(server, () => catalogOf(['one']));
    const answer = await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers);
    expect(answer).toMatchObject({ answered: false, status: 299 });
  });

  it('leaves a server without a registered view to the SDK', async () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    const answer = await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, good);
    expect(answer.answered).toBe(false);
  });
});
