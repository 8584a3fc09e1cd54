// Hot spots from a V8 CPU profile: self time per function, inclusive time for project functions.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CpuProfile, summarizeProfile } from './cpu-profile.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const frame = (functionName: string, url: string, lineNumber: number) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

// root → handle (egress) → decide (flows) → match (minimatch); handle also → write (node)
const profile: CpuProfile = {
  startTime: 1000,
  nodes: [
    { id: 1, callFrame: frame('(root)', '', -1), children: [2] },
    { id: 2, callFrame: frame('handle', `file://${repo}egress/proxy.ts`, 41), children: [3, 5] },
    { id: 3, callFrame: frame('decide', `file://${repo}flows/evaluate.ts`, 9), children: [4] },
    { id: 4, callFrame: frame('match', `file://${repo}node_modules/minimatch/dist/index.js`, 99) },
    { id: 5, callFrame: frame('write', 'node:net', 0) },
    { id: 6, callFrame: frame('(idle)', '', -1) },
  ],
  samples: [4, 4, 4, 5, 2, 6, 6],
  timeDeltas: [100, 100, 100, 100, 100, 200, 300],
};

describe('summarizeProfile', () => {
  const summary = summarizeProfile(profile);

  it('ranks self time with file:line, one-based, as a share of busy time', () => {
    expect(summary.totalMs).toBeCloseTo(1);
    expect(summary.idleMs).toBeCloseTo(0.5);
    expect(summary.self[0]).toEqual({
      where: 'match (node_modules/minimatch/dist/index.js:100)',
      percent: 60,
    });
  });

  it('gives project functions the time of everything they called', () => {
    expect(summary.projectInclusive).toEqual([
      { where: 'handle (egress/proxy.ts:42)', percent: 100 },
      { where: 'decide (flows/evaluate.ts:10)', percent: 60 },
    ]);
  });

  it('counts only the samples inside the window asked for', () => {
    // Samples land at 1100, 1200, … 1500 (busy), then 1700 and 2000 (idle).
    const late = summarizeProfile(profile, 15, [{ fromUs: 1350, toUs: 1600 }]);
    expect(late.totalMs).toBeCloseTo(0.2);
    expect(late.self.map((s) => s.where)).toEqual([
      'write (node:net:1)',
      'handle (egress/proxy.ts:42)',
    ]);
  });
});
