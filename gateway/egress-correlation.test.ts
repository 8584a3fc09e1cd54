// Which tool call an egress event is attributed to: the registry of calls in flight and its rule.
import { describe, expect, it } from 'vitest';
import {
  blockOf,
  candidateCalls,
  createEgressCorrelation,
  type EgressEvent,
  ENDED_CALLS_KEPT,
  type InFlightCall,
  MAX_BLOCKS_PER_CALL,
} from './egress-correlation.ts';

const event = (overrides: Partial<EgressEvent> = {}): EgressEvent => ({
  time: 1_000,
  server: 'alpha',
  method: 'GET',
  host: 'evil.example',
  port: 80,
  path: '/x',
  decision: 'deny',
  flow: 'alpha-only',
  processor: 'Deny',
  reason: 'no rule matched',
  ...overrides,
});

const call = (callId: string, server: string, start: number, end?: number): InFlightCall => ({
  callId,
  sessionId: 's1',
  server,
  start,
  ...(end === undefined ? {} : { end }),
});

describe('candidateCalls', () => {
  const calls = [
    call('a0', 'alpha', 100, 500),
    call('a1', 'alpha', 900),
    call('b1', 'beta', 900),
    call('a2', 'alpha', 1_001),
  ];
  it.each([
    ['a call on the same server that started before the request', event(), ['a1']],
    ['a call on the same server that started at the same ms', event({ time: 900 }), ['a1']],
    ['no call that started after the request', event({ time: 800 }), []],
    ['only calls on the server that made the request', event({ server: 'beta' }), ['b1']],
    ['both alpha calls once both had started', event({ time: 1_001 }), ['a1', 'a2']],
    ['nothing for a server with no call in flight', event({ server: 'gamma' }), []],
    ['an answered call whose window held the request', event({ time: 300 }), ['a0']],
    ['the answered call up to its last ms', event({ time: 500 }), ['a0']],
    ['no answered call for a request started after it', event({ time: 600 }), []],
  ])('finds %s', (_what, input, expected) => {
    expect(candidateCalls(calls, input).map((c) => c.callId)).toEqual(expected);
  });
});

describe('blockOf', () => {
  it.each([
    ['deny', 'a block', true],
    ['report', 'a would-be block', true],
    ['allow', 'nothing', false],
  ] as const)('turns a %s record into %s', (decision, _what, isBlock) => {
    const block = blockOf(event({ decision }), false);
    expect(block !== null).toBe(isBlock);
    if (block) expect(block).toMatchObject({ decision, host: 'evil.example', ambiguous: false });
  });
});

describe('createEgressCorrelation', () => {
  it('attributes a block to the one call in flight on its server, and to no call on another server', () => {
    const registry = createEgressCorrelation();
    registry.begin(call('a1', 'alpha', 900));
    registry.begin(call('b1', 'beta', 900));
    expect(registry.correlate(event())).toEqual({
      toolCall: 'a1',
      attachedTo: ['a1'],
      ambiguous: false,
    });
    expect(registry.end('b1')).toEqual([]);
    expect(registry.end('a1')).toEqual([expect.objectContaining({ path: '/x', ambiguous: false })]);
  });

  it('gives an allowed request its call id but attaches nothing to the call', () => {
    const registry = createEgressCorrelation();
    registry.begin(call('a1', 'alpha', 900));
    expect(registry.correlate(event({ decision: 'allow' }))).toEqual({
      toolCall: 'a1',
      attachedTo: [],
      ambiguous: false,
    });
    expect(registry.end('a1')).toEqual([]);
  });

  it('attaches to every overlapping call on the server, marked ambiguous, with no call id', () => {
    const registry = createEgressCorrelation();
    registry.begin(call('a1', 'alpha', 900));
    registry.begin(call('a2', 'alpha', 950));
    expect(registry.correlate(event())).toEqual({
      toolCall: null,
      attachedTo: ['a1', 'a2'],
      ambiguous: true,
    });
    for (const id of ['a1', 'a2']) {
      expect(registry.end(id)).toEqual([expect.objectContaining({ ambiguous: true })]);
    }
  });

  it('attaches no block to an answered call, but names it for a record of a request made during it', () => {
    const registry = createEgressCorrelation();
    registry.begin(call('a1', 'alpha', 900));
    registry.end('a1');
    expect(registry.inFlight()).toEqual([]);
    expect(registry.correlate(event())).toEqual({
      toolCall: 'a1',
      attachedTo: [],
      ambiguous: false,
    });
    expect(registry.correlate(event({ time: Date.now() + 60_000 }))).toEqual({
      toolCall: null,
      attachedTo: [],
      ambiguous: false,
    });
    expect(registry.end('a1')).toEqual([]);
  });

  it('remembers only the last ENDED_CALLS_KEPT answered calls of a server', () => {
    const registry = createEgressCorrelation();
    for (let i = 0; i <= ENDED_CALLS_KEPT; i += 1) {
      registry.begin(call(`a${i}`, 'alpha', i * 10));
      registry.end(`a${i}`);
    }
    // Only a0 had begun by time 5, and it is forgotten; by time 10 a1 had too, and it alone is left.
    expect(registry.correlate(event({ time: 5 })).toolCall).toBeNull();
    expect(registry.correlate(event({ time: 10 })).toolCall).toBe('a1');
  });

  it('keeps at most MAX_BLOCKS_PER_CALL blocks for a call that loops on a refused host', () => {
    const registry = createEgressCorrelation();
    registry.begin(call('a1', 'alpha', 900));
    for (let i = 0; i < MAX_BLOCKS_PER_CALL + 5; i += 1) registry.correlate(event());
    expect(registry.end('a1')).toHaveLength(MAX_BLOCKS_PER_CALL);
  });
});
