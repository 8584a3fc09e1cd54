// Reads a V8 .cpuprofile (node --cpu-prof) and names the hot spots: self time, and time inside project code.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  /** Monotonic clock, µs: the same clock as `process.hrtime` (CLOCK_MONOTONIC) in any process here. */
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  /** `function (file:line)`, file relative to the repo when it is in it. */
  readonly where: string;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Sampled time the process spent waiting for events; percentages below are of the rest. */
  readonly idleMs: number;
  /** Where the CPU was when sampled (GC included, as V8 names it), as a share of busy time. */
  readonly self: readonly HotSpot[];
  /** Project functions (egress/, flows/, cli/) by time spent in them and everything they called. */
  readonly projectInclusive: readonly HotSpot[];
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT_DIRS = ['egress/', 'flows/', 'cli/', 'gateway/'];

function place(frame: ProfileNode['callFrame']): { where: string; project: boolean } {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return { where: name, project: false };
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const file = path.startsWith(repoRoot)
    ? relative(repoRoot, path)
    : path.replace(/^.*node_modules\//, '');
  const project = path.startsWith(repoRoot) && PROJECT_DIRS.some((dir) => file.startsWith(dir));
  return { where: `${name} (${file}:${frame.lineNumber + 1})`, project };
}

function top(times: Map<string, number>, total: number, count: number): HotSpot[] {
  return [...times.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, micros]) => ({ where, percent: (100 * micros) / total }));
}

/** A stretch of the profiled process's life, in the profile's clock (µs); samples outside all are ignored. */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

export function summarizeProfile(
  profile: CpuProfile,
  count = 15,
  windows: readonly ProfileWindow[] = [{ fromUs: -Infinity, toUs: Infinity }],
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let clock = profile.startTime;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    clock += micros;
    if (!windows.some((w) => clock >= w.fromUs && clock <= w.toUs)) return;
    total += micros;
    const node = byId.get(id);
    if (!node) return;
    if (node.callFrame.functionName === '(idle)') {
      idle += micros;
      return;
    }
    const here = place(node.callFrame).where;
    self.set(here, (self.get(here) ?? 0) + micros);
    // Each project function on the stack counts once per sample, even when recursive.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const { where, project } = place(frame.callFrame);
      if (project && !seen.has(where)) {
        seen.add(where);
        inclusive.set(where, (inclusive.get(where) ?? 0) + micros);
      }
    }
  });
  const busy = total - idle || 1;
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    self: top(self, busy, count),
    projectInclusive: top(inclusive, busy, count),
  };
}

export function renderProfile(summary: ProfileSummary, what: string): string {
  const list = (spots: readonly HotSpot[]) =>
    spots.map((s) => `  ${s.percent.toFixed(1).padStart(5)}%  ${s.where}`).join('\n');
  return [
    `Airlock CPU profile, ${what} (${(summary.totalMs / 1000).toFixed(1)} s sampled, ` +
      `${(summary.idleMs / 1000).toFixed(1)} s idle; shares below are of busy time)`,
    'self time (where the CPU was):',
    list(summary.self),
    'project functions, inclusive (time in them and what they called):',
    list(summary.projectInclusive),
    '',
  ].join('\n');
}
