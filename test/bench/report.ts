// Renders bench results as markdown tables (pasteable into the README), with ratios and targets.
import type { BenchResults, Outcome } from './results.ts';

export interface TargetCheck {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

function ratio(value: number | undefined, base: number | undefined): string {
  if (value === undefined || base === undefined || !(base > 0)) return '–';
  return `${(value / base).toFixed(2)}×`;
}

function figureOf<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.ok ? outcome.value : undefined;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** One row per target: its figures, or its error across the row. */
function rows<T>(
  section: Record<string, Outcome<T>>,
  cells: (value: T) => string[],
  metric: (value: T) => number,
  width: number,
): string[][] {
  const direct = figureOf(section.direct);
  const squid = figureOf(section.squid);
  return Object.entries(section).map(([name, outcome]) => {
    if (!outcome.ok) return [name, `failed: ${outcome.error}`, ...Array(width - 2).fill('')];
    const base = (v: T | undefined) => (v === undefined ? undefined : metric(v));
    return [
      name,
      ...cells(outcome.value),
      ratio(metric(outcome.value), base(direct)),
      ratio(metric(outcome.value), base(squid)),
    ];
  });
}

export function targetChecks(results: BenchResults): TargetCheck[] {
  const airlockLoad = figureOf(results.load.airlock);
  const squidLoad = figureOf(results.load.squid);
  const airlockBulk = figureOf(results.bulk.airlock);
  const directBulk = figureOf(results.bulk.direct);
  const decisions = Object.values(results.decision).flatMap((d) => (d.ok ? [d.value] : []));
  // The slowest layout decides: the target holds for every way of writing 1,000 patterns.
  const decision = decisions.sort((a, b) => b.p50Us - a.p50Us)[0];
  const anyWrong = decisions.some((d) => d.wrong > 0);
  const reqRatio =
    airlockLoad && squidLoad ? airlockLoad.requestsPerSecond / squidLoad.requestsPerSecond : null;
  const bulkRatio =
    airlockBulk && directBulk
      ? airlockBulk.megabytesPerSecond / directBulk.megabytesPerSecond
      : null;
  return [
    {
      goal: 'keep-alive req/s ≥ 1.5× Squid',
      measured: reqRatio === null ? 'not measured' : `${reqRatio.toFixed(2)}× Squid`,
      met: reqRatio === null ? null : reqRatio >= 1.5,
    },
    {
      goal: 'CONNECT bulk ≥ 90% of direct',
      measured: bulkRatio === null ? 'not measured' : `${(bulkRatio * 100).toFixed(0)}% of direct`,
      met: bulkRatio === null ? null : bulkRatio >= 0.9,
    },
    {
      goal: 'flow decision ≤ 20 µs p50 (1,000 patterns)',
      measured: decision
        ? `${fixed(decision.p50Us, 2)} µs p50 (${decision.layout})`
        : 'not measured',
      met: decision ? decision.p50Us <= 20 && !anyWrong : null,
    },
  ];
}

export function renderReport(results: BenchResults): string {
  const { load, bulk, setups } = results.settings;
  const out: string[] = [];
  out.push(
    `Airlock egress bench, ${results.date}${results.quick ? ' (--quick: rough figures)' : ''}`,
    `${results.machine.cpus} CPUs, node ${results.machine.node}, ` +
      Object.entries(results.machine.tools)
        .map(([tool, version]) => `${tool} ${version}`)
        .join(', ') +
      `; load average before the run ${results.machine.loadAverage.toFixed(1)}` +
      ' (well above 0: other work shared the CPUs and skews the figures)',
    '',
    `Keep-alive small GETs: ${load.tool}, ${load.connections} connections, ${load.seconds} s in ${load.rounds} round(s) taken in turn with the other targets, after ${load.warmupSeconds} s warm-up; p99 is the worst round's`,
    '',
    table(
      ['target', 'req/s', 'p50 ms', 'p99 ms', 'socket errors', 'non-2xx', 'vs direct', 'vs squid'],
      rows(
        results.load,
        (v) => [
          thousands(v.requestsPerSecond),
          fixed(v.p50Ms, 2),
          fixed(v.p99Ms, 2),
          String(v.socketErrors),
          String(v.badStatus),
        ],
        (v) => v.requestsPerSecond,
        8,
      ),
    ),
    '',
    `CONNECT bulk: ${bulk.bytes / 1024 ** 2} MiB origin → client through one tunnel, median of ${bulk.repeats}`,
    '',
    table(
      ['target', 'MB/s', 'vs direct', 'vs squid'],
      rows(
        results.bulk,
        (v) => [thousands(v.megabytesPerSecond)],
        (v) => v.megabytesPerSecond,
        4,
      ),
    ),
    '',
    `CONNECT setups: open, 1-byte exchange, close; ${setups.concurrency} concurrent, at most ${setups.maxCount} or ${setups.seconds} s (direct = plain TCP connects)`,
    '',
    table(
      ['target', 'setups/s', 'p50 ms', 'errors', 'vs direct', 'vs squid'],
      rows(
        results.setups,
        (v) => [thousands(v.setupsPerSecond), fixed(v.p50Ms, 2), String(v.errors)],
        (v) => v.setupsPerSecond,
        6,
      ),
    ),
    '',
  );
  out.push(
    'Flow decision: 1,000 URL patterns (4/10 exact hosts, 3/10 `*.domain`, 3/10 paths with `{id}`), in process, half hits, half misses',
    '',
    table(
      ['layout', 'p50 µs', 'p99 µs', 'mean µs', 'evaluations', 'compile ms', 'wrong decisions'],
      Object.entries(results.decision).map(([layout, outcome]) => {
        if (!outcome.ok) return [layout, `failed: ${outcome.error}`, '', '', '', '', ''];
        const d = outcome.value;
        return [
          layout,
          fixed(d.p50Us, 2),
          fixed(d.p99Us, 2),
          fixed(d.meanUs, 2),
          thousands(d.evaluations),
          fixed(d.compileMs, 1),
          String(d.wrong),
        ];
      }),
    ),
  );
  out.push(
    '',
    'Targets',
    '',
    table(
      ['goal', 'measured', 'result'],
      targetChecks(results).map((c) => [
        c.goal,
        c.measured,
        c.met === null ? 'not measured' : c.met ? 'met' : 'NOT met',
      ]),
    ),
  );
  if (results.notes.length > 0) out.push('', ...results.notes.map((n) => `note: ${n}`));
  return `${out.join('\n')}\n`;
}
