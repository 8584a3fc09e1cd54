// Exposed names: prefix/conditional/none, the 128-character limit, replaced characters, collisions, stability.
import { describe, expect, it } from 'vitest';
import { exposeNames, type NamedEntry, nameKey, sanitizeName } from './naming.ts';
import { nameHash } from './stable-hash.ts';

const VALID = /^[A-Za-z0-9_.-]{1,128}$/;
const e = (server: string, name: string): NamedEntry => ({ server, name });
const nameOf = (
  entries: readonly NamedEntry[],
  mode: 'prefix' | 'conditional' | 'none',
  entry: NamedEntry,
) => exposeNames(entries, mode).exposed.get(nameKey(entry.server, entry.name));
const hash6 = (server: string, name: string) => nameHash(server, name, 6);

describe('sanitizeName', () => {
  it.each([
    ['keeps allowed characters', 'get_issue-v2.1', 'get_issue-v2.1'],
    ['replaces spaces and slashes', 'list issues/all', 'list_issues_all'],
    ['replaces one non-ASCII code point with one underscore', 'café☕', 'caf__'],
    ['replaces an astral code point with one underscore', 'go🚀', 'go_'],
  ])('%s', (_label, input, expected) => {
    expect(sanitizeName(input)).toBe(expected);
  });
});

describe('exposeNames', () => {
  const github = e('github', 'create_issue');
  const gitlab = e('gitlab', 'create_issue');
  const slack = e('slack', 'post_message');
  const entries = [github, gitlab, slack];

  const cases: [
    label: string,
    mode: 'prefix' | 'conditional' | 'none',
    entries: NamedEntry[],
    entry: NamedEntry,
    expected: string,
  ][] = [
    ['prefixes with the server in prefix mode', 'prefix', entries, slack, 'slack__post_message'],
    [
      'prefixes colliding bare names in conditional mode',
      'conditional',
      entries,
      github,
      'github__create_issue',
    ],
    ['keeps a unique bare name in conditional mode', 'conditional', entries, slack, 'post_message'],
    ['keeps a unique bare name in none mode', 'none', entries, slack, 'post_message'],
    [
      'suffixes every colliding bare name in none mode',
      'none',
      entries,
      github,
      `create_issue_${hash6('github', 'create_issue')}`,
    ],
    [
      'suffixes the other colliding bare name too',
      'none',
      entries,
      gitlab,
      `create_issue_${hash6('gitlab', 'create_issue')}`,
    ],
    [
      'replaces invalid characters in server and tool',
      'prefix',
      [e('my server', 'do/it')],
      e('my server', 'do/it'),
      'my_server__do_it',
    ],
    [
      'suffixes names that collide only after replacement',
      'none',
      [e('a', 'do it'), e('a', 'do_it')],
      e('a', 'do it'),
      `do_it_${hash6('a', 'do it')}`,
    ],
    [
      'suffixes prefixed names that collide through the separator',
      'prefix',
      [e('a__b', 'c'), e('a', 'b__c')],
      e('a', 'b__c'),
      `a__b__c_${hash6('a', 'b__c')}`,
    ],
    ['suffixes an empty name', 'none', [e('s', '')], e('s', ''), `_${hash6('s', '')}`],
    [
      'keeps a name of exactly 128 characters',
      'none',
      [e('s', 'x'.repeat(128))],
      e('s', 'x'.repeat(128)),
      'x'.repeat(128),
    ],
    [
      'truncates a longer name to 128 characters with a suffix',
      'prefix',
      [e('s', 't'.repeat(200))],
      e('s', 't'.repeat(200)),
      `s__${'t'.repeat(128 - 3 - 7)}_${hash6('s', 't'.repeat(200))}`,
    ],
  ];
  it.each(cases)('%s', (_label, mode, list, entry, expected) => {
    const name = nameOf(list, mode, entry);
    expect(name).toBe(expected);
    expect(name).toMatch(VALID);
  });

  it('suffixes a name that collides with another entry’s suffixed name', () => {
    const plain = e('x', 'search');
    const other = e('y', 'search');
    const squatter = e('z', `search_${hash6('x', 'search')}`);
    const names = exposeNames([plain, other, squatter], 'none');
    const values = [...names.exposed.values()];
    expect(new Set(values).size).toBe(3);
    expect(names.exposed.get(nameKey('x', 'search'))).toBe(`search_${nameHash('x', 'search', 12)}`);
    expect(names.exposed.get(nameKey('z', squatter.name))).toBe(
      `${squatter.name}_${hash6('z', squatter.name)}`,
    );
  });

  it('gives every entry a unique valid name, and reverses each one', () => {
    const many: NamedEntry[] = [];
    for (let s = 0; s < 26; s++) {
      for (let t = 0; t < 40; t++)
        many.push(
          e(`server-${s % 13}${s >= 13 ? ' copy' : ''}`, `tool ${t % 20}/${'long'.repeat(t)}`),
        );
    }
    for (const mode of ['prefix', 'conditional', 'none'] as const) {
      const names = exposeNames(many, mode);
      expect(names.exposed.size).toBe(many.length);
      expect(names.reverse.size).toBe(many.length);
      const wrong = many.filter((entry) => {
        const name = names.exposed.get(nameKey(entry.server, entry.name)) ?? '';
        const back = names.reverse.get(name);
        return !VALID.test(name) || back?.server !== entry.server || back.name !== entry.name;
      });
      expect(wrong).toEqual([]);
    }
  });

  it('gives the same names whatever order the upstreams answered in', () => {
    const list = [github, gitlab, slack, e('a', 'do it'), e('a', 'do_it'), e('s', 'y'.repeat(300))];
    for (const mode of ['prefix', 'conditional', 'none'] as const) {
      const forward = exposeNames(list, mode);
      const backward = exposeNames([...list].reverse(), mode);
      const shuffled = exposeNames(
        [list[3]!, list[0]!, list[5]!, list[1]!, list[4]!, list[2]!],
        mode,
      );
      expect([...backward.exposed].sort()).toEqual([...forward.exposed].sort());
      expect([...shuffled.exposed].sort()).toEqual([...forward.exposed].sort());
    }
  });

  it('counts an entry listed twice once', () => {
    const names = exposeNames([slack, slack], 'none');
    expect([...names.exposed.values()]).toEqual(['post_message']);
  });
});
