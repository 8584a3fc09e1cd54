import { describe, expect, it } from 'vitest';
import { chooseRecipient, type InFlightCall } from './route-server-traffic.ts';

const a1: InFlightCall = { id: 1, sessionId: 'A', requestId: 10 };
const a2: InFlightCall = { id: 3, sessionId: 'A', requestId: 12 };
const b1: InFlightCall = { id: 2, sessionId: 'B', requestId: 11 };

describe('chooseRecipient', () => {
  it.each([
    [
      'the call named by the related request id',
      [a1, b1],
      11,
      { kind: 'call', callId: 2, reason: 'related request id' },
    ],
    [
      'nobody when the related call has ended',
      [a1],
      99,
      { kind: 'none', reason: 'the call it belongs to has ended' },
    ],
    [
      'the single call in flight',
      [b1],
      undefined,
      { kind: 'call', callId: 2, reason: 'only one session has calls in flight' },
    ],
    [
      'the newest call when all belong to one session',
      [a1, a2],
      undefined,
      { kind: 'call', callId: 3, reason: 'only one session has calls in flight' },
    ],
    [
      'nobody when two sessions have calls in flight',
      [a1, b1],
      undefined,
      { kind: 'none', reason: 'calls from several sessions are in flight' },
    ],
    [
      'nobody when nothing is in flight',
      [],
      undefined,
      { kind: 'none', reason: 'no call in flight' },
    ],
  ] as const)('routes to %s', (_what, inFlight, related, expected) => {
    expect(chooseRecipient(inFlight, related)).toEqual(expected);
  });

  it('matches string request ids exactly', () => {
    const call: InFlightCall = { id: 5, sessionId: 'A', requestId: '7' };
    expect(chooseRecipient([call], 7)).toEqual({
      kind: 'none',
      reason: 'the call it belongs to has ended',
    });
  });
});
