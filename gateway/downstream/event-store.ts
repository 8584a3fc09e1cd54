// Resumability for one Streamable HTTP session: the last N messages per session, so a client can resume with Last-Event-ID.
import type {
  EventId,
  EventStore,
  StreamId,
} from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface StoredEvent {
  readonly id: EventId;
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
}

/** Default bound: enough to ride out a reconnect, small enough that a chatty session cannot grow memory. */
export const DEFAULT_EVENTS_PER_SESSION = 1000;

/**
 * An in-memory EventStore bounded to `maxEvents` (oldest dropped first). One store per session, so
 * one session's traffic never evicts another's. Event ids are `<streamId>_<sequence>`; an id that
 * was evicted or never issued replays nothing.
 */
export function createMemoryEventStore(maxEvents = DEFAULT_EVENTS_PER_SESSION): EventStore {
  const events: StoredEvent[] = [];
  let sequence = 0;

  function indexOf(eventId: EventId): number {
    // Ids are issued in increasing order, so a binary search would do; sessions are small, a scan is clearer.
    return events.findIndex((event) => event.id === eventId);
  }

  return {
    async storeEvent(streamId, message) {
      sequence += 1;
      const id = `${streamId}_${sequence.toString(36).padStart(8, '0')}`;
      events.push({ id, streamId, message });
      if (events.length > maxEvents) events.splice(0, events.length - maxEvents);
      return id;
    },
    async getStreamIdForEventId(eventId) {
      const index = indexOf(eventId);
      return index === -1 ? undefined : events[index]?.streamId;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const index = indexOf(lastEventId);
      const last = events[index];
      if (last === undefined) return '';
      for (const event of events.slice(index + 1)) {
        if (event.streamId === last.streamId) await send(event.id, event.message);
      }
      return last.streamId;
    },
  };
}
