// Servers page: state, sandbox type, restarts, tool count, egress policy summary and last error per upstream.
import { getJson } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import { listOf, number } from '../format.js';

const PHASE_TONES = {
  ready: 'ok',
  starting: 'info',
  backoff: 'warn',
  crashed: 'bad',
  stopped: 'muted',
};

export function mountServers(root) {
  const body = h('div');
  root.append(h('h1', {}, 'Servers'), body);
  return {
    events: ['server', 'config'],
    async refresh() {
      const servers = listOf(await getJson('/api/servers'), 'servers');
      replace(
        body,
        table(
          'servers-table',
          [
            {
              label: 'Server',
              cell: (server) => h('span', { 'data-testid': 'server-name' }, server.name),
            },
            {
              label: 'State',
              cell: (server) => {
                const phase = server.state ?? server.phase ?? 'unknown';
                return h(
                  'span',
                  { 'data-testid': 'server-state' },
                  badge(phase, PHASE_TONES[phase] ?? 'muted'),
                );
              },
            },
            { label: 'Sandbox', cell: (server) => sandboxText(server) },
            { label: 'Restarts', cell: (server) => number(server.restarts), className: 'num' },
            {
              label: 'Tools',
              cell: (server) => number(server.tools ?? server.toolCount),
              className: 'num',
            },
            { label: 'Egress policy', cell: (server) => policyCell(server) },
            {
              label: 'Last error',
              cell: (server) =>
                server.lastError ? h('span', { class: 'error-text' }, server.lastError) : '—',
            },
          ],
          servers,
          { empty: 'No servers configured.' },
        ),
      );
    },
  };
}

function sandboxText(server) {
  const sandbox = server.sandbox;
  if (typeof sandbox === 'string') return sandbox;
  if (sandbox && typeof sandbox === 'object') return sandbox.type ?? '—';
  return server.sandboxType ?? server.transport ?? '—';
}

/** The flows that apply to the server (their filter names it, or names no server); none → the egress default. */
function policyCell(server) {
  const flows = Array.isArray(server.egressFlows) ? server.egressFlows : [];
  return h(
    'div',
    { class: 'policy', 'data-testid': 'server-policy' },
    flows.length > 0
      ? flows.join(', ')
      : h('span', { class: 'muted' }, 'no flow applies: egress default (deny)'),
  );
}
