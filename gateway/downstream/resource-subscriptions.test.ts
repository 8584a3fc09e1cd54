// Subscription counting: one upstream subscribe per (server, URI), unsubscribe when the last session lets go.
import { describe, expect, it } from 'vitest';
import { createResourceSubscriptions } from './resource-subscriptions.ts';

function recorder(refuse = false) {
  const calls: string[] = [];
  const upstream = {
    subscribeResource: async (uri: string) => {
      calls.push(`subscribe ${uri}`);
      if (refuse) throw new Error('refused');
    },
    unsubscribeResource: async (uri: string) => {
      calls.push(`unsubscribe ${uri}`);
    },
  };
  return { calls, upstreams: (server: string) => (server === 'docs' ? upstream : undefined) };
}

describe('createResourceSubscriptions', () => {
  it('subscribes upstream once for many sessions and unsubscribes after the last', async () => {
    const { calls, upstreams } = recorder();
    const subs = createResourceSubscriptions(upstreams);
    await subs.subscribe({ sessionId: 'a', exposedUri: 'file:///x' }, 'docs', 'file:///x');
    await subs.subscribe({ sessionId: 'b', exposedUri: 'file:///x' }, 'docs', 'file:///x');
    expect(subs.subscribersOf('docs', 'file:///x').map((s) => s.sessionId)).toEqual(['a', 'b']);
    await subs.unsubscribe({ sessionId: 'a', exposedUri: 'file:///x' });
    expect(calls).toEqual(['subscribe file:///x']);
    await subs.release('b');
    expect(calls).toEqual(['subscribe file:///x', 'unsubscribe file:///x']);
    expect(subs.subscribersOf('docs', 'file:///x')).toEqual([]);
  });

  it('keeps the URI each session used (a rewritten one) for its notifications', async () => {
    const { upstreams } = recorder();
    const subs = createResourceSubscriptions(upstreams);
    await subs.subscribe(
      { sessionId: 'a', exposedUri: 'airlock://docs/file:///x' },
      'docs',
      'file:///x',
    );
    expect(subs.subscribersOf('docs', 'file:///x')).toEqual([
      { sessionId: 'a', exposedUri: 'airlock://docs/file:///x' },
    ]);
  });

  it('holds nothing when the upstream refuses the subscription', async () => {
    const { upstreams } = recorder(true);
    const subs = createResourceSubscriptions(upstreams);
    await expect(
      subs.subscribe({ sessionId: 'a', exposedUri: 'file:///x' }, 'docs', 'file:///x'),
    ).rejects.toThrow('refused');
    expect(subs.subscribersOf('docs', 'file:///x')).toEqual([]);
  });

  it('ignores an unsubscribe of something never subscribed', async () => {
    const { calls, upstreams } = recorder();
    const subs = createResourceSubscriptions(upstreams);
    await subs.unsubscribe({ sessionId: 'a', exposedUri: 'file:///y' });
    await subs.release('nobody');
    expect(calls).toEqual([]);
  });
});
