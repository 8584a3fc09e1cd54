// Session bookkeeping and continuity: with auth on, a session's later requests must carry its consumer's key.
import { describe, expect, it } from 'vitest';
import { logPasses } from './session-calls.ts';
import { checkContinuity, newSessionState, recordCall, snapshot } from './session-state.ts';

const state = () =>
  newSessionState({
    id: 's1',
    transport: 'streamable-http',
    identity: { consumer: 'eng', source: 'api-key' },
    clientName: 'claude-code',
    protocolVersion: '2025-11-25',
    now: 1000,
  });

describe('checkContinuity', () => {
  it.each([
    [
      'auth off, nothing presented',
      false,
      { ok: true, consumer: 'default', source: 'default' },
      { allow: true },
    ],
    ['same consumer', true, { ok: true, consumer: 'eng', source: 'api-key' }, { allow: true }],
    [
      "another consumer's key",
      true,
      { ok: true, consumer: 'cs', source: 'api-key' },
      { allow: false, status: 403, reason: 'API key does not belong to this session' },
    ],
    [
      'no key',
      true,
      { ok: false, status: 401, message: 'API key required' },
      { allow: false, status: 401, reason: 'API key required' },
    ],
  ] as const)('%s', (_what, auth, current, expected) => {
    expect(checkContinuity(state(), current, auth)).toEqual(expected);
  });
});

it('counts calls and remembers the last one', () => {
  const s = state();
  recordCall(s, 'github__list_issues', 2000);
  recordCall(s, 'github__get_issue', 3000);
  expect(snapshot(s)).toMatchObject({
    calls: 2,
    lastCall: 'github__get_issue',
    lastCallAt: 3000,
    since: 1000,
  });
});

describe('logPasses', () => {
  it.each([
    ['debug', null, true],
    ['info', 'warning', false],
    ['warning', 'warning', true],
    ['emergency', 'error', true],
  ] as const)('%s under threshold %s → %s', (level, threshold, passes) => {
    expect(logPasses(level, threshold)).toBe(passes);
  });
});
