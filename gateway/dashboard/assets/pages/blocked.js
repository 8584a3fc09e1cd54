// Blocked page: the blocked-call report (the same data as `airlock report blocked`) with filters and CSV/JSON export.
import { apiUrl, download, getJson, token } from '../api.js';
import { h, replace, table } from '../dom.js';
import { flowLabel, listOf, time } from '../format.js';
import { RANGES, selectFilter, textFilter } from './filters.js';
import { decisionBadge } from './outbound.js';

export function mountBlocked(root, params) {
  const reload = () => page.refresh().catch(() => {});
  const server = textFilter('blocked-filter-server', 'Server', params.get('server'), reload);
  const since = selectFilter(
    'blocked-filter-since',
    'Since',
    RANGES,
    params.get('since') ?? '24h',
    reload,
  );
  const exportCsv = exportLink('blocked-export-csv', 'Export CSV', 'csv');
  const exportJson = exportLink('blocked-export-json', 'Export JSON', 'json');
  const count = h('span', { 'data-testid': 'blocked-count' }, '0');
  const list = h('div', { class: 'scroll' });
  root.append(
    h('h1', {}, 'Blocked'),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (event) => event.preventDefault() },
      server.element,
      since.element,
      h('div', { class: 'exports' }, exportCsv, exportJson),
    ),
    h(
      'p',
      { class: 'muted' },
      count,
      ' blocked or would-be-blocked calls (report mode shows as "would deny").',
    ),
    list,
  );

  const query = () => ({
    // Relative (`24h`, as `airlock report blocked --since` takes it), so a copied export link stays relative;
    // all time still needs a lower bound (the API's default is 24 h): the epoch.
    since: since.input.value === 'all' ? '1970-01-01' : since.input.value,
    server: server.input.value.trim(),
  });

  const page = {
    events: ['block'],
    async refresh() {
      const filters = query();
      exportCsv.href = apiUrl('/api/blocked', { ...filters, format: 'csv' });
      // download=1 makes the API send the bare report as an attachment, like `airlock report blocked --format json`.
      exportJson.href = apiUrl('/api/blocked', { ...filters, format: 'json', download: 1 });
      const records = listOf(
        await getJson('/api/blocked', { ...filters, format: 'json' }),
        'blocked',
      );
      server.setOptions(records.map((record) => record.server));
      count.textContent = String(records.length);
      replace(
        list,
        table(
          'blocked-table',
          [
            { label: 'When', cell: (record) => time(record.time) },
            { label: 'Server', cell: (record) => record.server },
            { label: 'Decision', cell: (record) => decisionBadge(record.decision) },
            { label: 'Method', cell: (record) => record.method },
            { label: 'Host', cell: (record) => `${record.host}:${record.port}`, className: 'mono' },
            { label: 'Path', cell: (record) => record.path ?? '(not visible)', className: 'mono' },
            {
              label: 'Flow / processor',
              cell: (record) => h('span', { 'data-testid': 'blocked-flow' }, flowLabel(record)),
            },
            { label: 'Reason', cell: (record) => record.reason ?? '' },
            {
              label: 'Tool call',
              cell: (record) => toolCallCell(record.toolCall),
              className: 'mono',
            },
          ],
          records,
          { empty: 'Nothing blocked in this window.' },
        ),
      );
    },
  };
  return page;
}

/**
 * A real link to the export (works without a token, and can be copied); with a token stored it is
 * fetched with the Authorization header instead, since a plain link cannot carry it.
 */
function exportLink(testid, label, format) {
  const link = h(
    'a',
    {
      class: 'button',
      'data-testid': testid,
      href: `/api/blocked?format=${format}${format === 'json' ? '&download=1' : ''}`,
      download: `airlock-blocked.${format}`,
      onclick: (event) => {
        if (!token()) return;
        event.preventDefault();
        download(link.getAttribute('href'), `airlock-blocked.${format}`);
      },
    },
    label,
  );
  return link;
}

/** The call id shortened for the table; the whole id in the tooltip (it is the audit record's call id). */
function toolCallCell(callId) {
  if (!callId) return '—';
  return h('span', { title: callId, 'data-testid': 'blocked-tool-call' }, callId.slice(0, 8));
}
