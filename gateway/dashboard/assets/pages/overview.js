// Overview page: servers up/total, agents connected, tool calls and blocked calls per minute, newest blocks.
import { getJson } from '../api.js';
import { barChart, perMinute } from '../charts.js';
import { h, replace, stat, table } from '../dom.js';
import { flowLabel, listOf, time } from '../format.js';

/** The API's window (`OVERVIEW_MINUTES`); the fallback counts over the same span. */
const WINDOW_MINUTES = 15;

export function mountOverview(root) {
  const stats = h('section', { class: 'stats', 'aria-label': 'Summary' });
  const charts = h('section', { class: 'charts', 'aria-label': 'Per minute' });
  const blocks = h('section', { 'aria-labelledby': 'newest-blocks' });
  root.append(h('h1', {}, 'Overview'), stats, charts, blocks);

  return {
    events: ['call', 'block', 'session', 'server', 'egress'],
    async refresh() {
      const data = await getJson('/api/overview');
      const now = Date.now();
      const servers = data.servers ?? {};
      const up = servers.up ?? data.serversUp ?? 0;
      const total = servers.total ?? data.serversTotal ?? 0;
      const agents =
        typeof data.agents === 'number'
          ? data.agents
          : (data.agents?.connected ?? data.agentsConnected ?? 0);
      const calls = await series(
        data.toolCallsPerMinute ?? data.callsPerMinute,
        () => callTimes(now),
        now,
      );
      const blocked = await series(data.blockedPerMinute, () => blockTimes(now), now);
      const newest = listOf(data.newestBlocks ?? data.recentBlocks ?? data.blocks, 'records').slice(
        0,
        10,
      );

      replace(
        stats,
        stat('overview-servers', 'Servers up', `${up} / ${total}`),
        stat('overview-agents', 'Agents connected', String(agents)),
        stat(
          'overview-calls-per-minute',
          'Tool calls, last minute',
          String(calls.at(-1)?.value ?? 0),
        ),
        stat(
          'overview-blocked-per-minute',
          'Blocked calls, last minute',
          String(blocked.at(-1)?.value ?? 0),
        ),
      );
      replace(
        charts,
        barChart('chart-calls', `Tool calls per minute, last ${WINDOW_MINUTES} min`, calls, 'info'),
        barChart(
          'chart-blocked',
          `Blocked calls per minute, last ${WINDOW_MINUTES} min`,
          blocked,
          'bad',
        ),
      );
      replace(
        blocks,
        h('h2', { id: 'newest-blocks' }, 'Newest blocks'),
        table(
          'overview-blocks',
          [
            { label: 'When', cell: (record) => time(record.time) },
            { label: 'Server', cell: (record) => record.server },
            { label: 'Method', cell: (record) => record.method },
            {
              label: 'Host',
              cell: (record) => `${record.host}${record.port ? `:${record.port}` : ''}`,
              className: 'mono',
            },
            { label: 'Flow', cell: (record) => flowLabel(record) },
          ],
          newest,
          { empty: 'Nothing blocked.' },
        ),
        h('p', {}, h('a', { href: '#/blocked' }, 'All blocked calls →')),
      );
    },
  };
}

/**
 * The per-minute series as the API gives it (`[{t|time|minute, value|count}]` or plain counts,
 * oldest first); when it gives none, counted here from the raw rows.
 */
async function series(given, fallbackTimes, now) {
  if (Array.isArray(given) && given.length > 0) {
    return given.map((point, index) =>
      typeof point === 'number'
        ? { t: now - (given.length - 1 - index) * 60_000, value: point }
        : {
            t: point.t ?? point.time ?? point.minute ?? now,
            value: point.value ?? point.count ?? 0,
          },
    );
  }
  return perMinute(await fallbackTimes(), WINDOW_MINUTES, now);
}

async function callTimes(now) {
  const data = await getJson('/api/calls', { since: now - WINDOW_MINUTES * 60_000, limit: 5000 });
  return listOf(data, 'calls').map((row) => row.time);
}

async function blockTimes(now) {
  const data = await getJson('/api/blocked', {
    since: now - WINDOW_MINUTES * 60_000,
    format: 'json',
  });
  return listOf(data, 'blocked').map((record) => record.time);
}
