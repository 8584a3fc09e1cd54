// Which servers a reload must start, stop or restart.
import { describe, expect, it } from 'vitest';
import { diffServers } from './config-diff.ts';
import type { ServerSpec } from './types.ts';

const stdio = (name: string, extra: Partial<ServerSpec> = {}): ServerSpec =>
  ({
    name,
    transport: 'stdio',
    command: 'node',
    args: ['server.js'],
    env: { TOKEN: { kind: 'secret', name: 'TOKEN' } },
    disabled: false,
    ...extra,
  }) as ServerSpec;

type Servers = Record<string, ServerSpec>;

describe('diffServers', () => {
  it.each<{
    why: string;
    before: Servers;
    after: Servers;
    added?: string[];
    removed?: string[];
    changed?: string[];
    unchanged?: string[];
  }>([
    {
      why: 'nothing changed',
      before: { a: stdio('a') },
      after: { a: stdio('a') },
      unchanged: ['a'],
    },
    { why: 'a server added', before: {}, after: { a: stdio('a') }, added: ['a'] },
    { why: 'a server removed', before: { a: stdio('a') }, after: {}, removed: ['a'] },
    {
      why: 'an argument changed',
      before: { a: stdio('a') },
      after: { a: stdio('a', { args: ['other.js'] } as Partial<ServerSpec>) },
      changed: ['a'],
    },
    {
      why: 'a secret source changed',
      before: { a: stdio('a') },
      after: {
        a: stdio('a', { env: { TOKEN: { kind: 'env', name: 'TOKEN' } } } as Partial<ServerSpec>),
      },
      changed: ['a'],
    },
    {
      why: 'a server disabled',
      before: { a: stdio('a') },
      after: { a: stdio('a', { disabled: true }) },
      changed: ['a'],
    },
    {
      why: 'the same spec written with keys in another order',
      before: { a: stdio('a') },
      after: {
        a: {
          disabled: false,
          env: { TOKEN: { name: 'TOKEN', kind: 'secret' } },
          args: ['server.js'],
          command: 'node',
          transport: 'stdio',
          name: 'a',
        } as ServerSpec,
      },
      unchanged: ['a'],
    },
    {
      why: 'one of several changed',
      before: { c: stdio('c'), a: stdio('a'), b: stdio('b') },
      after: {
        b: stdio('b', { command: 'deno' } as Partial<ServerSpec>),
        a: stdio('a'),
        d: stdio('d'),
      },
      added: ['d'],
      removed: ['c'],
      changed: ['b'],
      unchanged: ['a'],
    },
  ])('$why', ({ before, after, added = [], removed = [], changed = [], unchanged = [] }) => {
    expect(diffServers(before, after)).toEqual({ added, removed, changed, unchanged });
  });
});
