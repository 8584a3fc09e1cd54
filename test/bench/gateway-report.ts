// Renders gateway bench results as markdown tables (pasteable into the README), with ratios and targets met or not.
import {
  CALL_TARGETS,
  type CallTarget,
  type GatewayBenchResults,
  TARGET_NOTES,
} from './gateway-results.ts';
import type { LatencyFigures } from './gateway-stats.ts';
import type { TargetCheck } from './report.ts';

/** The targets for the gateway. */
export const GOALS = {
  addedP50Ms: 1,
  addedP99Ms: 3,
  throughputShare: 0.8,
  listP50Ms: 5,
} as const;

const GATEWAYS = ['gateway-http', 'gateway-stdio'] as const;

export function figures(
  results: GatewayBenchResults,
  target: CallTarget,
  sessions: number,
): LatencyFigures | undefined {
  const outcome = results.calls[target]?.[String(sessions)];
  return outcome?.ok ? outcome.value : undefined;
}

/** What going through `target` adds to (or takes from) calling the upstream directly at the same concurrency. */
export function versusDirect(results: GatewayBenchResults, target: CallTarget, sessions: number) {
  const base = figures(results, 'direct', sessions);
  const mine = figures(results, target, sessions);
  if (!base || !mine) return undefined;
  return {
    addedP50Ms: mine.p50Ms - base.p50Ms,
    addedP99Ms: mine.p99Ms - base.p99Ms,
    throughputShare: mine.callsPerSecond / base.callsPerSecond,
  };
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const signed = (n: number) => (n >= 0 ? `+${fixed(n, 2)}` : fixed(n, 2));
const percent = (share: number) => `${fixed(share * 100, 0)}%`;
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

function check(goal: string, value: number | undefined, ok: (v: number) => boolean, show: string) {
  return {
    goal,
    measured: value === undefined ? 'not measured' : show,
    met: value === undefined ? null : ok(value),
  };
}

/**
 * Latency targets at one session (added latency of an idle gateway, not queueing); throughput at the
 * highest concurrency (where the gateway's own CPU limits it). Both gateway paths are held to them.
 */
export function gatewayTargetChecks(results: GatewayBenchResults): TargetCheck[] {
  const low = Math.min(...results.settings.concurrency);
  const high = Math.max(...results.settings.concurrency);
  const checks: TargetCheck[] = [];
  for (const target of GATEWAYS) {
    const idle = versusDirect(results, target, low);
    const busy = versusDirect(results, target, high);
    checks.push(
      check(
        `${target}: ≤ ${GOALS.addedP50Ms} ms p50 added (${low} session)`,
        idle?.addedP50Ms,
        (v) => v <= GOALS.addedP50Ms,
        `${signed(idle?.addedP50Ms ?? Number.NaN)} ms`,
      ),
      check(
        `${target}: ≤ ${GOALS.addedP99Ms} ms p99 added (${low} session)`,
        idle?.addedP99Ms,
        (v) => v <= GOALS.addedP99Ms,
        `${signed(idle?.addedP99Ms ?? Number.NaN)} ms`,
      ),
      check(
        `${target}: ≥ ${percent(GOALS.throughputShare)} of direct calls/s (${high} sessions)`,
        busy?.throughputShare,
        (v) => v >= GOALS.throughputShare,
        percent(busy?.throughputShare ?? Number.NaN),
      ),
    );
  }
  const list = results.list.ok ? results.list.value : undefined;
  checks.push(
    check(
      `tools/list ≤ ${GOALS.listP50Ms} ms p50 (${list?.servers ?? 26} servers, ${list?.tools ?? '~1,040'} tools)`,
      list?.raw.p50Ms,
      (v) => v <= GOALS.listP50Ms,
      `${fixed(list?.raw.p50Ms ?? Number.NaN, 2)} ms p50, ${fixed(list?.raw.p99Ms ?? Number.NaN, 2)} ms p99`,
    ),
  );
  return checks;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function callRows(results: GatewayBenchResults, sessions: number): string[][] {
  const sg = figures(results, 'supergateway', sessions);
  return CALL_TARGETS.flatMap((target) => {
    const outcome = results.calls[target]?.[String(sessions)];
    if (outcome === undefined) return [];
    if (!outcome.ok) return [[target, `failed: ${outcome.error}`, ...Array(9).fill('')]];
    const f = outcome.value;
    const vs = versusDirect(results, target, sessions);
    const isDirect = target === 'direct';
    return [
      [
        target,
        thousands(f.callsPerSecond),
        fixed(f.p50Ms, 2),
        fixed(f.p99Ms, 2),
        f.errors === 0 ? '0' : `${f.errors} (${f.firstError ?? ''})`,
        fixed(f.serverCpuMsPerCall, 2),
        percent(f.clientCoreShare),
        isDirect || !vs ? '–' : signed(vs.addedP50Ms),
        isDirect || !vs ? '–' : signed(vs.addedP99Ms),
        isDirect ? '100%' : vs ? percent(vs.throughputShare) : '–',
        sg && target !== 'supergateway'
          ? `${fixed(f.callsPerSecond / sg.callsPerSecond, 2)}×`
          : '–',
      ],
    ];
  });
}

export function renderGatewayReport(results: GatewayBenchResults): string {
  const s = results.settings;
  const m = results.machine;
  const out: string[] = [
    `Airlock gateway bench, ${results.date}${results.quick ? ' (--quick: rough figures)' : ''}`,
    `${m.cpus} CPUs, node ${m.node}, supergateway ${m.supergateway ?? 'not available'}; ` +
      `load average ${m.loadAverage.toFixed(1)} before the run, ${m.loadAverageAfter.toFixed(1)} after` +
      ` (well above ${m.cpus}: other work shared the CPUs and skews the figures)`,
    '',
    `tools/call of a tiny tool (echo): SDK clients in a separate process, each session a closed loop; ` +
      `${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up, ${s.rounds} round(s) taken in turn ` +
      'with the other targets; latency per call measured client-side',
    '',
    ...CALL_TARGETS.map((t) => `- ${t}: ${TARGET_NOTES[t]}`),
    '',
    'server CPU ms/call: CPU time (/proc utime+stime) of the process the client talks to (the upstream for ' +
      'direct, the gateway or supergateway otherwise, not their upstreams) over the whole run, per call answered: ' +
      'the cost per call that CPU contention from other work does not inflate. load generator CPU: share of one ' +
      'core the client process used; near 100% means the client, not the target, set the pace.',
  ];
  for (const sessions of s.concurrency) {
    out.push(
      '',
      `${sessions} concurrent session${sessions === 1 ? '' : 's'}`,
      '',
      table(
        [
          'target',
          'calls/s',
          'p50 ms',
          'p99 ms',
          'errors',
          'server CPU ms/call',
          'load generator CPU',
          'added p50 ms',
          'added p99 ms',
          'calls/s vs direct',
          'calls/s vs supergateway',
        ],
        callRows(results, sessions),
      ),
    );
  }
  out.push('', 'tools/list through the gateway, one session, sequential', '');
  if (results.list.ok) {
    const l = results.list.value;
    out.push(
      table(
        ['client', 'servers × tools', 'p50 ms', 'p99 ms', 'mean ms', 'lists'],
        [
          ['raw HTTP POST', `${l.servers} → ${l.tools} tools`, ...listCells(l.raw)],
          ['SDK Client.listTools', `${l.servers} → ${l.tools} tools`, ...listCells(l.sdk)],
        ],
      ),
      '',
      `gateway start until ${l.servers} stdio upstreams were ready: ${(l.startMs / 1000).toFixed(1)} s`,
    );
  } else out.push(`failed: ${results.list.error}`);
  out.push(
    '',
    'Targets',
    '',
    table(
      ['goal', 'measured', 'result'],
      gatewayTargetChecks(results).map((c) => [
        c.goal,
        c.measured,
        c.met === null ? 'not measured' : c.met ? 'met' : 'NOT met',
      ]),
    ),
  );
  if (results.notes.length > 0) out.push('', ...results.notes.map((n) => `note: ${n}`));
  return `${out.join('\n')}\n`;
}

function listCells(f: LatencyFigures): string[] {
  return [fixed(f.p50Ms, 2), fixed(f.p99Ms, 2), fixed(f.meanMs, 2), String(f.calls)];
}
