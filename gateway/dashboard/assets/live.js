// The live feed: reads /api/events as server-sent events over fetch (so the admin token travels as a header) and reconnects with backoff.
import { authHeaders, reportUnauthorized } from './api.js';

export const EVENT_TYPES = ['call', 'egress', 'block', 'session', 'server', 'config'];

/**
 * Opens the feed and calls `onEvent(type, data)` for each event; `onStatus('live'|'connecting'|'offline')`
 * as the connection changes. Returns a function that stops it.
 */
export function connectLive({ onEvent, onStatus }) {
  let stopped = false;
  let controller = null;
  let delay = 500;

  const run = async () => {
    while (!stopped) {
      onStatus('connecting');
      controller = new AbortController();
      try {
        const response = await fetch('/api/events', {
          headers: { Accept: 'text/event-stream', ...authHeaders() },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401) {
          reportUnauthorized();
          onStatus('offline');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`feed answered ${response.status}`);
        onStatus('live');
        delay = 500;
        await readEvents(response.body, onEvent);
      } catch {
        // A dropped feed is normal (restart, network blip): fall through to the retry.
      }
      if (stopped) return;
      onStatus('offline');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

/** Parses the text/event-stream format: `event:` and `data:` lines, a blank line ends an event. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let type = 'message';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) dispatch(type, data.join('\n'), onEvent);
        type = 'message';
        data = [];
      } else if (line.startsWith(':')) {
        // A comment: the server's keep-alive.
      } else {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const raw = colon === -1 ? '' : line.slice(colon + 1);
        const text = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'event') type = text;
        else if (field === 'data') data.push(text);
      }
    }
  }
}

function dispatch(type, text, onEvent) {
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  onEvent(type, data);
}
