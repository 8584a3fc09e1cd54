// Writing a key hash into app.yaml changes one line and keeps every comment and the layout.
import { describe, expect, it } from 'vitest';
import { listKeyConsumers, setApiKeyHash } from './app-yaml-keys.ts';

const H = 'sha256:new';

const commented = `# Airlock app config
permissions:   # who may do what
  default:
    block: [] # allow all

auth:
    enabled: true   # needed beyond loopback
    keys:
        ops: sha256:old  # ops team
egress:
  mode: report
`;

describe('setApiKeyHash', () => {
  it.each([
    {
      why: 'adds a consumer under existing keys at their indentation',
      text: commented,
      consumer: 'eng-agent',
      expected: commented.replace(
        '        ops: sha256:old  # ops team\n',
        '        ops: sha256:old  # ops team\n        eng-agent: sha256:new\n',
      ),
    },
    {
      why: 'replaces only the value with force',
      text: commented,
      consumer: 'ops',
      force: true,
      expected: commented.replace('ops: sha256:old  #', 'ops: sha256:new  #'),
    },
    {
      why: 'adds keys under an auth section without them',
      text: 'auth:\n  enabled: false  # later\n# trailing\nnaming: none\n',
      consumer: 'a',
      expected:
        'auth:\n  enabled: false  # later\n  keys:\n    a: sha256:new\n# trailing\nnaming: none\n',
    },
    {
      why: 'appends an auth section to a file without one',
      text: '# top\nnaming: none # why',
      consumer: 'a',
      expected: '# top\nnaming: none # why\n\nauth:\n  keys:\n    a: sha256:new\n',
    },
    {
      why: 'creates the section in an empty file',
      text: '',
      consumer: 'a',
      expected: 'auth:\n  keys:\n    a: sha256:new\n',
    },
    {
      why: 'fills an empty keys entry',
      text: 'auth:\n  keys:\n',
      consumer: 'a',
      expected: 'auth:\n  keys:\n    a: sha256:new\n',
    },
    {
      why: 'turns an empty keys: {} into a block',
      text: 'auth:\n  enabled: true # on\n  keys: {}   # none yet\nnaming: none\n',
      consumer: 'a',
      expected:
        'auth:\n  enabled: true # on\n  keys:\n    a: sha256:new   # none yet\nnaming: none\n',
    },
    {
      why: 'edits a flow-style section',
      text: 'auth: {enabled: true}\n',
      consumer: 'a',
      expected: 'auth: { enabled: true, keys: { a: sha256:new } }\n',
    },
  ])('$why', ({ text, consumer, force, expected }) => {
    expect(setApiKeyHash(text, consumer, H, { force })).toEqual({ ok: true, text: expected });
  });

  it.each([
    {
      why: 'an existing consumer without force',
      text: commented,
      consumer: 'ops',
      reason: 'exists',
    },
    { why: 'invalid YAML', text: 'auth: [\n', consumer: 'a', reason: 'invalid-yaml' },
    { why: 'auth that is a scalar', text: 'auth: on\n', consumer: 'a', reason: 'not-a-mapping' },
    { why: 'a document that is a list', text: '- a\n', consumer: 'a', reason: 'not-a-mapping' },
    { why: 'a consumer name with spaces', text: '', consumer: 'a b', reason: 'bad-consumer' },
  ])('refuses $why', ({ text, consumer, reason }) => {
    expect(setApiKeyHash(text, consumer, H)).toEqual({ ok: false, reason });
  });

  it('lists consumers, never hashes', () => {
    expect(listKeyConsumers(commented)).toEqual(['ops']);
    expect(listKeyConsumers('')).toEqual([]);
    expect(listKeyConsumers('auth: [\n')).toBeUndefined();
  });
});
