// The bounded in-memory event store: replay after an id on the same stream only, oldest events dropped first.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore } from './event-store.ts';

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { n },
});

async function replay(store: ReturnType<typeof createMemoryEventStore>, after: string) {
  const sent: unknown[] = [];
  const stream = await store.replayEventsAfter(after, {
    send: async (_id, message) => {
      sent.push((message as unknown as { params: { n: number } }).params.n);
    },
  });
  return { stream, sent };
}

describe('createMemoryEventStore', () => {
  it('replays the events after an id, on that stream only', async () => {
    const store = createMemoryEventStore();
    const first = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(2));
    await store.storeEvent('a', note(3));
    expect(await replay(store, first)).toEqual({ stream: 'a', sent: [3] });
    expect(await store.getStreamIdForEventId?.(first)).toBe('a');
  });

  it('issues distinct, increasing ids', async () => {
    const store = createMemoryEventStore();
    const ids = [await store.storeEvent('a', note(1)), await store.storeEvent('a', note(2))];
    expect(ids[0]).not.toBe(ids[1]);
    expect([...ids].sort()).toEqual(ids);
  });

  it('drops the oldest events beyond its bound; an evicted id replays nothing', async () => {
    const store = createMemoryEventStore(2);
    const evicted = await store.storeEvent('a', note(1));
    const kept = await store.storeEvent('a', note(2));
    await store.storeEvent('a', note(3));
    expect(await store.getStreamIdForEventId?.(evicted)).toBeUndefined();
    expect(await replay(store, evicted)).toEqual({ stream: '', sent: [] });
    expect(await replay(store, kept)).toEqual({ stream: 'a', sent: [3] });
  });
});
