// What travels upstream: hop-by-hop and proxy credentials dropped, everything else kept in order.
import { describe, expect, it } from 'vitest';
import { forwardHeaders } from './forward-headers.ts';

describe('forwardHeaders', () => {
  it('keeps end-to-end headers in their original order and spelling', () => {
    const raw = [
      'Host',
      'a.example',
      'Accept',
      '*/*',
      'X-Trace',
      '1',
      'x-trace',
      '2',
      'Content-Length',
      '3',
    ];
    expect(forwardHeaders(raw)).toEqual(raw);
  });

  it.each([
    'Proxy-Authorization',
    'proxy-authorization',
    'Proxy-Connection',
    'Connection',
    'Keep-Alive',
    'TE',
    'Trailer',
    'Transfer-Encoding',
    'Upgrade',
    'PROXY-AUTHORIZATION',
  ])('drops %s', (name) => {
    expect(forwardHeaders(['Host', 'a.example', name, 'value', 'Accept', '*/*'])).toEqual([
      'Host',
      'a.example',
      'Accept',
      '*/*',
    ]);
  });

  it('drops every header Connection names, across several Connection headers', () => {
    const raw = [
      'Connection',
      'keep-alive, X-Secret-Hop',
      'X-Secret-Hop',
      'gone',
      'connection',
      ' x-other ,',
      'X-Other',
      'gone too',
      'X-Kept',
      'kept',
    ];
    expect(forwardHeaders(raw)).toEqual(['X-Kept', 'kept']);
  });

  it('never lets Connection remove Host or Content-Length', () => {
    const raw = ['Connection', 'host, content-length', 'Host', 'a.example', 'Content-Length', '5'];
    expect(forwardHeaders(raw)).toEqual(['Host', 'a.example', 'Content-Length', '5']);
  });

  it('returns an empty list for no headers', () => {
    expect(forwardHeaders([])).toEqual([]);
  });
});
