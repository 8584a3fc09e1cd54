// The blocked-call report's pure parts: the --since window and the table, CSV and JSON renderings.
import { describe, expect, it } from 'vitest';
import { aDeny, aRecord, T0 } from '../test/fixtures/egress-records.ts';
import { csvCell, formatCsv, formatJson, formatTable, parseSince } from './blocked-report.ts';
import type { StoredRecord } from './telemetry-store.ts';

const stored = (record: ReturnType<typeof aRecord>, id = 1): StoredRecord => ({
  ...record,
  id,
  newProvider: false,
});

describe('parseSince', () => {
  it.each([
    ['30m', T0 - 30 * 60_000],
    ['24h', T0 - 24 * 3_600_000],
    ['7d', T0 - 7 * 86_400_000],
    ['2026-11-20', Date.parse('2026-11-20T00:00:00Z')],
    ['2026-11-20T06:30:00Z', Date.parse('2026-11-20T06:30:00Z')],
    ['2026-11-20T06:30:00+02:00', Date.parse('2026-11-20T04:30:00Z')],
    ['24', null],
    ['1w', null],
    ['-5h', null],
    ['yesterday', null],
    ['2026-13-45', null],
    ['', null],
  ])('reads %j as %s', (text, expected) => {
    expect(parseSince(text, T0)).toBe(expected);
  });
});

describe('csvCell', () => {
  it.each([
    ['api.slack.com', 'api.slack.com', 'plain text stays'],
    ['a,b', '"a,b"', 'a comma is quoted'],
    ['say "hi"', '"say ""hi"""', 'quotes are doubled'],
    ['two\nlines', '"two\nlines"', 'a line break is quoted'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`, 'a formula is neutralised'],
    ['+1+cmd|x', "'+1+cmd|x", 'a leading plus is neutralised'],
    ['-2+3', "'-2+3", 'a leading minus is neutralised'],
    ['@SUM(A1)', "'@SUM(A1)", 'a leading at is neutralised'],
    ['\t=1', "'\t=1", 'a leading tab is neutralised'],
    ['/path=1', '/path=1', 'an equals sign later on is harmless'],
  ])('%j → %j (%s)', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('formatCsv', () => {
  it('writes a header and one CRLF row per record', () => {
    const csv = formatCsv([
      stored(aDeny({ path: '/=cmd|calc', reason: 'no filter matched, so "deny"' })),
      stored(aRecord({ decision: 'report', flow: null, processor: null, reason: 'default' })),
    ]);
    expect(csv).toBe(
      'time,server,decision,method,host,port,path,flow/processor,reason\r\n' +
        '2026-11-21T07:00:00.000Z,slack-bot,deny,POST,api.badactor.com,443,/=cmd|calc,slack/GenerateResponseForbidden,"no filter matched, so ""deny"""\r\n' +
        '2026-11-21T07:00:00.000Z,slack-bot,would deny,POST,api.slack.com,443,/api/chat.postMessage,(none),default\r\n',
    );
  });
});

describe('formatTable', () => {
  it('aligns columns and leaves the reason last', () => {
    const table = formatTable([
      stored(aDeny()),
      stored(aDeny({ server: 'x', host: 'h.io', port: 8443, path: null, method: 'CONNECT' })),
    ]);
    expect(table.split('\n')).toEqual([
      'time                      server     decision  method   host              port  path         flow/processor                   reason',
      '2026-11-21T07:00:00.000Z  slack-bot  deny      POST     api.badactor.com  443   /steal_data  slack/GenerateResponseForbidden  no filter matched',
      '2026-11-21T07:00:00.000Z  x          deny      CONNECT  h.io              8443               slack/GenerateResponseForbidden  no filter matched',
      '',
    ]);
  });

  it('shows control characters and bidi overrides escaped, so a path cannot drive the terminal', () => {
    const table = formatTable([stored(aDeny({ path: '/a\u001b[2J\u202eb', reason: 'x\ny' }))]);
    expect(table).toContain('/a\\x1b[2J\\u202eb');
    expect(table).toContain('x\\x0ay');
    expect(table).not.toContain('\u001b');
    expect(table.split('\n')).toHaveLength(3);
  });

  it('cuts a long path so the columns stay readable', () => {
    const table = formatTable([stored(aDeny({ path: `/${'a'.repeat(200)}` }))]);
    expect(table).toContain(`/${'a'.repeat(58)}…`);
    expect(table).not.toContain('a'.repeat(60));
  });
});

describe('formatJson', () => {
  it('is the array of stored records', () => {
    const records = [stored(aDeny(), 7)];
    expect(JSON.parse(formatJson(records))).toEqual(records);
  });
});
