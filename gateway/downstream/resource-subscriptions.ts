// Resource subscriptions across sessions: one upstream subscription per (server, URI), counted by sessions; updates fanned back out.
import type { SessionUpstream } from './session-upstream.ts';

export interface Subscriber {
  readonly sessionId: string;
  /** The URI as this session knows it (what it subscribed to). */
  readonly exposedUri: string;
}

export interface ResourceSubscriptions {
  /** Subscribes upstream on the first subscriber of (server, upstreamUri); later ones only count. */
  subscribe(subscriber: Subscriber, server: string, upstreamUri: string): Promise<void>;
  unsubscribe(subscriber: Subscriber): Promise<void>;
  /** A closed session lets go of everything it held. */
  release(sessionId: string): Promise<void>;
  /** Who to tell about `notifications/resources/updated` from `server` for `upstreamUri`. */
  subscribersOf(server: string, upstreamUri: string): Subscriber[];
}

type Upstreams = (
  server: string,
) => Pick<SessionUpstream, 'subscribeResource' | 'unsubscribeResource'> | undefined;

const keyOf = (server: string, uri: string) => `${server}\0${uri}`;

export function createResourceSubscriptions(upstream: Upstreams): ResourceSubscriptions {
  /** (server, upstream URI) → subscribers. */
  const byTarget = new Map<
    string,
    { server: string; uri: string; subscribers: Map<string, Subscriber> }
  >();
  /** sessionId → exposed URI → target key. */
  const bySession = new Map<string, Map<string, string>>();
  const subscriberKey = (s: Subscriber) => `${s.sessionId}\0${s.exposedUri}`;

  async function drop(subscriber: Subscriber): Promise<void> {
    const held = bySession.get(subscriber.sessionId);
    const key = held?.get(subscriber.exposedUri);
    if (held === undefined || key === undefined) return;
    held.delete(subscriber.exposedUri);
    if (held.size === 0) bySession.delete(subscriber.sessionId);
    const target = byTarget.get(key);
    if (target === undefined) return;
    target.subscribers.delete(subscriberKey(subscriber));
    if (target.subscribers.size > 0) return;
    byTarget.delete(key);
    await upstream(target.server)?.unsubscribeResource(target.uri);
  }

  return {
    async subscribe(subscriber, server, upstreamUri) {
      const key = keyOf(server, upstreamUri);
      let target = byTarget.get(key);
      const first = target === undefined;
      if (target === undefined) {
        target = { server, uri: upstreamUri, subscribers: new Map() };
        byTarget.set(key, target);
      }
      target.subscribers.set(subscriberKey(subscriber), subscriber);
      const held = bySession.get(subscriber.sessionId) ?? new Map<string, string>();
      held.set(subscriber.exposedUri, key);
      bySession.set(subscriber.sessionId, held);
      if (!first) return;
      try {
        await upstream(server)?.subscribeResource(upstreamUri);
      } catch (error) {
        // The upstream refused: nobody holds a subscription that does not exist.
        await drop(subscriber);
        throw error;
      }
    },
    unsubscribe: drop,
    async release(sessionId) {
      const held = bySession.get(sessionId);
      if (held === undefined) return;
      await Promise.allSettled(
        [...held.keys()].map((exposedUri) => drop({ sessionId, exposedUri })),
      );
    },
    subscribersOf(server, upstreamUri) {
      return [...(byTarget.get(keyOf(server, upstreamUri))?.subscribers.values() ?? [])];
    },
  };
}
