// Agents page: live downstream sessions: consumer, client name, since when, calls, last call.
import { getJson } from '../api.js';
import { h, replace, table } from '../dom.js';
import { ago, listOf, number, time } from '../format.js';

export function mountAgents(root) {
  const body = h('div');
  root.append(h('h1', {}, 'Agents'), body);
  return {
    events: ['session', 'call'],
    async refresh() {
      const sessions = listOf(await getJson('/api/agents'), 'agents');
      replace(
        body,
        h(
          'p',
          { class: 'muted' },
          h('span', { 'data-testid': 'agents-count' }, String(sessions.length)),
          ' live sessions',
        ),
        table(
          'agents-table',
          [
            {
              label: 'Consumer',
              cell: (session) => h('span', { 'data-testid': 'agent-consumer' }, session.consumer),
            },
            { label: 'Client', cell: (session) => session.clientName ?? '—' },
            { label: 'Transport', cell: (session) => session.transport ?? '—' },
            {
              label: 'Since',
              cell: (session) => h('span', { title: time(session.since) }, ago(session.since)),
            },
            { label: 'Calls', cell: (session) => number(session.calls), className: 'num' },
            {
              label: 'Last call',
              cell: (session) =>
                session.lastCall ? `${session.lastCall} · ${ago(session.lastCallAt)}` : '—',
            },
          ],
          sessions,
          { empty: 'No agent is connected.' },
        ),
      );
    },
  };
}
