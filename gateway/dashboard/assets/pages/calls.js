// Tool calls page: the audit log live, filtered by agent, server, outcome and time; a row opens the full audit record.
import { getJson } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import { duration, flowLabel, listOf, time } from '../format.js';
import { RANGES, rangeStart, selectFilter, textFilter, timeFilter } from './filters.js';
import { decisionBadge } from './outbound.js';

export const OUTCOME_TONES = {
  ok: 'ok',
  'tool-error': 'warn',
  error: 'bad',
  denied: 'bad',
  cancelled: 'muted',
};
const OUTCOMES = [
  { value: '', label: 'any' },
  ...Object.keys(OUTCOME_TONES).map((value) => ({ value, label: value })),
];
const LIMIT = 200;

export function mountCalls(root, params) {
  // Filter changes reload at once; a failure shows in the table area on the next successful load.
  const refreshSoon = () => page.refresh().catch(() => {});
  const agent = textFilter('calls-filter-agent', 'Agent', params.get('agent'), refreshSoon);
  const server = textFilter('calls-filter-server', 'Server', params.get('server'), refreshSoon);
  const outcome = selectFilter(
    'calls-filter-outcome',
    'Outcome',
    OUTCOMES,
    params.get('outcome') ?? '',
    refreshSoon,
  );
  const since = selectFilter(
    'calls-filter-since',
    'Since',
    RANGES,
    params.get('since') ?? '24h',
    refreshSoon,
  );
  const until = timeFilter('calls-filter-until', 'Until', refreshSoon);
  const list = h('div', { class: 'scroll' });
  const detail = h('aside', {
    class: 'detail',
    'data-testid': 'call-detail',
    'aria-live': 'polite',
    hidden: true,
  });
  root.append(
    h('h1', {}, 'Tool calls'),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (event) => event.preventDefault() },
      agent.element,
      server.element,
      outcome.element,
      since.element,
      until.element,
    ),
    h('div', { class: 'split' }, list, detail),
  );

  /** Blocked egress records by the tool call they happened during (the record's `toolCall` is the call id). */
  let blocksByCall = new Map();

  const openDetail = async (row) => {
    detail.hidden = false;
    replace(detail, h('p', { class: 'muted' }, 'Loading…'));
    try {
      renderDetail(
        detail,
        await getJson(`/api/calls/${encodeURIComponent(row.id)}`),
        blocksByCall.get(row.callId) ?? [],
      );
    } catch (error) {
      replace(detail, h('p', { role: 'alert' }, `Could not load the record: ${error.message}`));
    }
  };

  const page = {
    events: ['call', 'block'],
    async refresh() {
      const start = rangeStart(since.input.value);
      const [callData, blockedData] = await Promise.all([
        getJson('/api/calls', {
          agent: agent.input.value.trim(),
          server: server.input.value.trim(),
          outcome: outcome.input.value,
          since: start,
          until: until.value(),
          limit: LIMIT,
        }),
        getJson('/api/blocked', {
          since: start ?? '1970-01-01',
          server: server.input.value.trim(),
        }),
      ]);
      const rows = listOf(callData, 'calls');
      blocksByCall = groupByToolCall(listOf(blockedData, 'blocked'));
      agent.setOptions(rows.map((row) => row.consumer));
      server.setOptions(rows.map((row) => row.server).filter(Boolean));
      replace(
        list,
        table(
          'calls-table',
          [
            { label: 'When', cell: (row) => time(row.time) },
            { label: 'Agent', cell: (row) => row.consumer },
            { label: 'Server', cell: (row) => row.server ?? '—' },
            { label: 'Tool', cell: (row) => row.exposedName ?? row.target, className: 'mono' },
            {
              label: 'Outcome',
              cell: (row) =>
                h(
                  'span',
                  { 'data-testid': 'call-outcome' },
                  badge(row.outcome, OUTCOME_TONES[row.outcome]),
                ),
            },
            { label: 'Duration', cell: (row) => duration(row.durationMs), className: 'num' },
            { label: 'Egress blocks', cell: (row) => blocksCell(blocksByCall.get(row.callId)) },
          ],
          rows,
          { empty: 'No tool calls match.', onRowClick: openDetail },
        ),
      );
    },
  };
  return page;
}

function blocksCell(blocks) {
  if (!blocks || blocks.length === 0) return '';
  return h('span', { 'data-testid': 'call-blocks' }, badge(`${blocks.length} blocked`, 'bad'));
}

function groupByToolCall(records) {
  const byCall = new Map();
  for (const record of records) {
    if (!record.toolCall) continue;
    byCall.set(record.toolCall, [...(byCall.get(record.toolCall) ?? []), record]);
  }
  return byCall;
}

/** The full audit record: who, what, redacted arguments, hash chain position, and whether it verifies. */
function renderDetail(detail, data, blocks) {
  const row = data.call ?? data.record ?? data;
  const verified = data.verified ?? row.verified;
  const fields = [
    ['Call id', row.callId],
    ['Record', `#${row.id}`],
    ['When', time(row.time)],
    ['Agent', row.consumer],
    ['Client', row.clientName ?? '—'],
    ['Session', row.sessionId ?? '—'],
    ['Server', row.server ?? '—'],
    ['Kind', row.kind],
    ['Target', row.target],
    ['Called as', row.exposedName],
    ['Outcome', row.outcome],
    ['Detail', row.detail ?? '—'],
    ['Duration', duration(row.durationMs)],
    ['Hash', row.hash],
    ['Previous hash', row.prevHash],
  ];
  replace(
    detail,
    h(
      'div',
      { class: 'detail-head' },
      h('h2', {}, 'Audit record'),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            detail.hidden = true;
          },
        },
        'Close',
      ),
    ),
    h(
      'p',
      { 'data-testid': 'call-verified' },
      verified === true
        ? badge('hash verified', 'ok')
        : verified === false
          ? badge('hash does NOT verify', 'bad')
          : badge('not verified', 'muted'),
    ),
    h(
      'dl',
      { class: 'fields' },
      fields.map(([name, value]) => [h('dt', {}, name), h('dd', { class: 'mono' }, value ?? '—')]),
    ),
    h('h3', {}, 'Arguments (redacted)'),
    h('pre', { 'data-testid': 'call-arguments' }, prettyJson(row.arguments)),
    egressSection(blocks),
  );
}

/** What the egress blocked while this call ran: host, path, and the flow and processor that decided. */
function egressSection(records) {
  if (records.length === 0) return null;
  return [
    h('h3', {}, 'Blocked outbound requests during this call'),
    h(
      'ul',
      { class: 'plain', 'data-testid': 'call-detail-blocks' },
      records.map((record) =>
        h(
          'li',
          {},
          decisionBadge(record.decision),
          ' ',
          h(
            'span',
            { class: 'mono' },
            `${record.method} ${record.host}:${record.port}${record.path ?? ''}`,
          ),
          ` by ${flowLabel(record)}`,
        ),
      ),
    ),
  ];
}

function prettyJson(text) {
  if (text === null || text === undefined) return '(none)';
  if (typeof text !== 'string') return JSON.stringify(text, null, 2);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
