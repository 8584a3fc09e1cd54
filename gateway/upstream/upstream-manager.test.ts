import { describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../config/types.ts';
import { planApply } from './upstream-manager.ts';

function stdio(name: string, args: string[] = [], disabled = false): StdioServerSpec {
  return { name, transport: 'stdio', command: 'node', args, env: {}, disabled };
}

describe('planApply', () => {
  it('starts new servers, stops removed ones, restarts changed ones and keeps the rest', () => {
    const running = { a: stdio('a'), b: stdio('b'), c: stdio('c') };
    const wanted = { a: stdio('a'), c: stdio('c', ['--changed']), d: stdio('d') };
    expect(planApply(running, wanted)).toEqual({
      started: ['d'],
      stopped: ['b'],
      restarted: ['c'],
      unchanged: ['a'],
    });
  });

  it('treats a disabled server as absent', () => {
    expect(
      planApply({ a: stdio('a') }, { a: stdio('a', [], true), b: stdio('b', [], true) }),
    ).toEqual({
      started: [],
      stopped: ['a'],
      restarted: [],
      unchanged: [],
    });
  });

  it('restarts a server whose env source changed', () => {
    const before: StdioServerSpec = {
      ...stdio('a'),
      env: { TOKEN: { kind: 'secret', name: 'X' } },
    };
    const after: StdioServerSpec = { ...stdio('a'), env: { TOKEN: { kind: 'secret', name: 'Y' } } };
    expect(planApply({ a: before }, { a: after }).restarted).toEqual(['a']);
  });
});
