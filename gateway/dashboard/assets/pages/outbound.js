// Outbound page: per server × provider requests, error rate, latency, bytes, first/last seen and "new", a chart over time, and a drill-down.
import { getJson } from '../api.js';
import { lineChart } from '../charts.js';
import { badge, h, replace, table } from '../dom.js';
import { ago, bytes, duration, flowLabel, listOf, number, percent, time } from '../format.js';
import { textFilter } from './filters.js';

/** A provider first used this recently counts as "new" when the API does not say so itself. */
const NEW_FOR_MS = 24 * 3_600_000;

export function mountOutbound(root, params) {
  let selected =
    params.get('server') && params.get('provider')
      ? { server: params.get('server'), provider: params.get('provider') }
      : null;
  const server = textFilter('outbound-filter-server', 'Server', params.get('server'), () =>
    page.refresh().catch(() => {}),
  );
  const summary = h('div', { class: 'scroll' });
  const chart = h('section', { class: 'charts', 'aria-label': 'Requests over time' });
  const drill = h('section', { class: 'drill', 'data-testid': 'outbound-drilldown', hidden: true });
  root.append(
    h('h1', {}, 'Outbound'),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (event) => event.preventDefault() },
      server.element,
    ),
    summary,
    chart,
    drill,
  );

  const select = (row) => {
    selected = { server: row.server, provider: row.provider };
    renderDrill().catch(() => {});
  };

  const renderDrill = async () => {
    if (!selected) return;
    const [endpointData, recordData] = await Promise.all([
      getJson('/api/outbound/endpoints', selected),
      getJson('/api/outbound/records', { ...selected, limit: 50 }),
    ]);
    drill.hidden = false;
    replace(
      drill,
      h('h2', {}, `${selected.server} → ${selected.provider}`),
      h('h3', {}, 'Discovered endpoints'),
      table(
        'outbound-endpoints',
        [
          { label: 'Method', cell: (endpoint) => endpoint.method },
          { label: 'Host', cell: (endpoint) => hostPort(endpoint), className: 'mono' },
          {
            label: 'Path',
            cell: (endpoint) => endpoint.template ?? endpoint.path ?? '—',
            className: 'mono',
          },
          { label: 'Requests', cell: (endpoint) => number(endpoint.count), className: 'num' },
          { label: 'Blocked', cell: (endpoint) => number(endpoint.blocked), className: 'num' },
          { label: 'Last seen', cell: (endpoint) => ago(endpoint.lastSeen) },
        ],
        listOf(endpointData, 'endpoints'),
        { empty: 'No endpoints recorded.' },
      ),
      h('h3', {}, 'Recent records'),
      recordsTable('outbound-records', listOf(recordData, 'records')),
    );
  };

  const page = {
    events: ['egress', 'block'],
    async refresh() {
      const filter = server.input.value.trim();
      const rollupData = await getJson('/api/outbound', { server: filter });
      const rows = listOf(rollupData, 'providers');
      server.setOptions(rows.map((row) => row.server));
      replace(
        summary,
        table(
          'outbound-table',
          [
            { label: 'Server', cell: (row) => row.server },
            {
              label: 'Provider',
              cell: (row) => [
                h('span', { class: 'mono' }, row.provider),
                isNew(row)
                  ? [' ', h('span', { 'data-testid': 'provider-new' }, badge('new', 'warn'))]
                  : null,
              ],
            },
            { label: 'Requests', cell: (row) => number(row.requests), className: 'num' },
            {
              label: 'Error rate',
              cell: (row) => percent(row.errors ?? 0, row.requests),
              className: 'num',
            },
            { label: 'Blocked', cell: (row) => number(row.blocked), className: 'num' },
            { label: 'p50', cell: (row) => duration(row.p50Ms ?? Number.NaN), className: 'num' },
            { label: 'p95', cell: (row) => duration(row.p95Ms ?? Number.NaN), className: 'num' },
            {
              label: 'Bytes ↑/↓',
              cell: (row) => `${bytes(row.bytesUp)} / ${bytes(row.bytesDown)}`,
              className: 'num',
            },
            { label: 'First seen', cell: (row) => time(row.firstSeen) },
            { label: 'Last seen', cell: (row) => ago(row.lastSeen) },
          ],
          rows,
          { empty: 'No outbound traffic yet.', onRowClick: select },
        ),
        h('p', { class: 'muted' }, 'Select a row for its endpoints and recent records.'),
      );
      replace(
        chart,
        lineChart(
          'outbound-chart',
          'Requests per minute, server → provider',
          busiest(listOf(rollupData.series, 'series')),
        ),
      );
      if (selected) await renderDrill();
    },
  };
  return page;
}

function isNew(row) {
  const flag = row.new ?? row.isNew ?? row.newProvider;
  if (typeof flag === 'boolean') return flag;
  return typeof row.firstSeen === 'number' && Date.now() - row.firstSeen < NEW_FOR_MS;
}

function hostPort(item) {
  const defaultPort = item.scheme === 'http' ? 80 : 443;
  return item.port && item.port !== defaultPort ? `${item.host}:${item.port}` : item.host;
}

/** The API's per-minute series (`[{server, provider, points: [{minute, count}]}]`), the six busiest as chart lines. */
function busiest(series) {
  return series
    .map((line) => ({
      name: `${line.server} → ${line.provider || '(unknown)'}`,
      points: listOf(line.points, 'points').map((point) => ({
        t: point.minute,
        value: point.count,
      })),
    }))
    .map((line) => ({ ...line, total: line.points.reduce((sum, point) => sum + point.value, 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, 6);
}

/** Outbound records, newest first; shared with the Blocked page's look. */
export function recordsTable(testid, records) {
  return table(
    testid,
    [
      { label: 'When', cell: (record) => time(record.time) },
      { label: 'Decision', cell: (record) => decisionBadge(record.decision) },
      { label: 'Method', cell: (record) => record.method },
      { label: 'Host', cell: (record) => hostPort(record), className: 'mono' },
      { label: 'Path', cell: (record) => record.path ?? '—', className: 'mono' },
      { label: 'Status', cell: (record) => record.status ?? '—', className: 'num' },
      { label: 'Duration', cell: (record) => duration(record.durationMs), className: 'num' },
      { label: 'Flow', cell: (record) => flowLabel(record) },
      { label: 'Error', cell: (record) => record.error ?? '' },
    ],
    records,
    { empty: 'No records.' },
  );
}

export function decisionBadge(decision) {
  if (decision === 'deny') return badge('deny', 'bad');
  if (decision === 'report') return badge('would deny', 'warn');
  return badge(decision ?? '?', 'ok');
}
