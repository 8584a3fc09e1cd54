// Config page: the loaded files, the last reload and its result, and validation errors (also shown as the banner on every page).
import { getJson } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import { listOf, time } from '../format.js';

/** The validation errors of the last reload, when it failed (the last good config still serves). */
export function configErrors(data) {
  const reload = data?.lastReload ?? data?.reload ?? null;
  const errors = data?.validationErrors ?? reload?.errors ?? [];
  const failed = reload ? reload.result === 'failure' : errors.length > 0;
  return failed
    ? errors.map((error) =>
        typeof error === 'string' ? error : (error.message ?? JSON.stringify(error)),
      )
    : [];
}

const RESULT_TONES = { success: 'ok', unchanged: 'muted', failure: 'bad' };

export function mountConfig(root) {
  const body = h('div');
  root.append(h('h1', {}, 'Config'), body);
  return {
    events: ['config'],
    async refresh() {
      const data = await getJson('/api/config');
      const reload = data.lastReload ?? data.reload ?? null;
      const files = listOf(data.files, 'files');
      const errors = configErrors(data);
      replace(
        body,
        h(
          'dl',
          { class: 'fields' },
          h('dt', {}, 'Listening'),
          h('dd', { class: 'mono', 'data-testid': 'config-listen' }, listenText(data.listen)),
          h('dt', {}, 'Agent auth'),
          h(
            'dd',
            {},
            data.authEnabled ? 'API keys required' : 'off (identity from headers or client name)',
          ),
          h('dt', {}, 'Last reload'),
          h(
            'dd',
            { 'data-testid': 'config-last-reload' },
            reload
              ? [time(reload.time), ' ', badge(reload.result, RESULT_TONES[reload.result])]
              : 'none since start',
          ),
        ),
        errors.length > 0
          ? h(
              'div',
              { class: 'banner inline', role: 'alert', 'data-testid': 'config-errors' },
              h('strong', {}, 'Validation errors (the last good config keeps serving):'),
              h(
                'ul',
                {},
                errors.map((error) => h('li', { class: 'mono' }, error)),
              ),
            )
          : null,
        h('h2', {}, 'Loaded files'),
        table(
          'config-files',
          [
            {
              label: 'File',
              cell: (file) => (typeof file === 'string' ? file : (file.path ?? file.name)),
              className: 'mono',
            },
            {
              label: 'What',
              cell: (file) => fileKind(typeof file === 'string' ? file : (file.path ?? '')),
            },
          ],
          files,
          { empty: 'No files reported.' },
        ),
      );
    },
  };
}

function listenText(listen) {
  if (!listen || typeof listen !== 'object') return '—';
  return Object.entries(listen)
    .map(([name, address]) => `${name} ${address ?? 'off'}`)
    .join(' · ');
}

function fileKind(path) {
  if (path.startsWith('flows/')) return 'egress flow';
  if (path === 'mcp.json') return 'servers';
  if (path === 'app.yaml') return 'permissions, auth, egress settings';
  return '';
}
