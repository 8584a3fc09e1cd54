// The decision line: one per record, fixed field names, denies at warn, and nothing beyond the record's own fields.
import { describe, expect, it } from 'vitest';
import { aDeny, aRecord, T0 } from '../test/fixtures/egress-records.ts';
import { captureLog } from '../test/fixtures/log-capture.ts';
import { createDecisionLog, DECISION_LOG_MESSAGE } from './decision-log.ts';
import type { EgressRecord } from './egress-record.ts';

describe('createDecisionLog', () => {
  it('writes one line per record with every field under its fixed name', () => {
    const capture = captureLog();
    const log = createDecisionLog(capture.logger);
    log(aRecord(), { newProvider: true });
    expect(capture.lines).toHaveLength(1);
    const { time, pid, hostname, ...line } = capture.lines[0]!;
    expect(line).toEqual({
      level: 30,
      msg: DECISION_LOG_MESSAGE,
      start: T0,
      server: 'slack-bot',
      method: 'POST',
      scheme: 'https',
      host: 'api.slack.com',
      port: 443,
      path: '/api/chat.postMessage',
      provider: 'slack.com',
      decision: 'allow',
      flow: 'slack',
      processor: 'AllowFilter',
      reason: 'matched api.slack.com/*',
      status: 200,
      duration_ms: 12,
      bytes_up: 100,
      bytes_down: 1000,
      error: null,
      dialed: '127.0.0.1:443',
      tool_call: null,
      new_provider: true,
    });
  });

  it.each([
    ['an allow', aRecord(), 30],
    ['a report-mode allow', aRecord({ decision: 'report' }), 30],
    ['a deny', aDeny(), 40],
    ['a transport error', aRecord({ error: 'ECONNREFUSED', status: null }), 40],
  ])('logs %s at level %s', (_name, record, level) => {
    const capture = captureLog();
    createDecisionLog(capture.logger)(record);
    expect(capture.lines.map((line) => line.level)).toEqual([level]);
  });

  it('never writes a field the record type does not name, such as a header', () => {
    const capture = captureLog();
    const leaky = {
      ...aRecord(),
      headers: { 'proxy-authorization': 'Basic c2xhY2stYm90OnNlY3JldC10b2tlbg==' },
      token: 'secret-token',
    } as EgressRecord;
    createDecisionLog(capture.logger)(leaky);
    expect(capture.text()).not.toContain('c2xhY2stYm90');
    expect(capture.text()).not.toContain('secret-token');
    expect(capture.lines[0]).not.toHaveProperty('headers');
  });

  it('escapes an attacker-chosen path instead of breaking the line', () => {
    const capture = captureLog();
    createDecisionLog(capture.logger)(aDeny({ path: '/x\n{"decision":"allow"}' }));
    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).toMatchObject({ decision: 'deny', path: '/x\n{"decision":"allow"}' });
  });
});
