// Child tools: description append/rewrite, fixed parameters out of the schema and into the call, hidden parents.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ToolExtension } from '../config/types.ts';
import { applyFixedArguments, extendTools } from './tool-extensions.ts';

const listIssues: Tool = {
  name: 'list_issues',
  title: 'List issues',
  description: 'List issues of a repository.',
  inputSchema: {
    type: 'object',
    properties: { owner: { type: 'string' }, repo: { type: 'string' }, state: { type: 'string' } },
    required: ['owner', 'repo'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true },
};
const createIssue: Tool = {
  name: 'create_issue',
  description: 'Create an issue.',
  inputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] },
};
const tools = [listIssues, createIssue];

const ext = (extension: Partial<ToolExtension>): ToolExtension => ({
  childTools: [],
  hideParent: false,
  ...extension,
});

describe('extendTools', () => {
  it('passes tools without extensions through unchanged', () => {
    expect(extendTools('github', tools, {})).toEqual([
      {
        name: 'list_issues',
        upstreamName: 'list_issues',
        definition: listIssues,
        fixedArguments: {},
      },
      {
        name: 'create_issue',
        upstreamName: 'create_issue',
        definition: createIssue,
        fixedArguments: {},
      },
    ]);
  });

  it('adds a child with fixed parameters removed from the schema and named in the description', () => {
    const extended = extendTools('github', tools, {
      list_issues: ext({
        childTools: [
          {
            name: 'list_acme_issues',
            overrideParams: { owner: { value: 'acme' }, state: { value: 'open' } },
          },
        ],
      }),
    });
    expect(extended.map((tool) => tool.name)).toEqual([
      'list_issues',
      'list_acme_issues',
      'create_issue',
    ]);
    expect(extended[1]).toEqual({
      name: 'list_acme_issues',
      upstreamName: 'list_issues',
      fixedArguments: { owner: 'acme', state: 'open' },
      definition: {
        name: 'list_acme_issues',
        description:
          'List issues of a repository.\n\nFixed by the gateway (not settable): owner = "acme", state = "open".',
        inputSchema: {
          type: 'object',
          properties: { repo: { type: 'string' } },
          required: ['repo'],
          additionalProperties: false,
        },
        annotations: { readOnlyHint: true },
      },
    });
    // The parent keeps its own schema.
    expect(extended[0]!.definition).toBe(listIssues);
  });

  it.each([
    [
      'appends to the parent description',
      { action: 'append', text: 'Only for the acme org.' },
      'List issues of a repository.\n\nOnly for the acme org.',
    ],
    [
      'rewrites the parent description',
      { action: 'rewrite', text: 'Issues of acme.' },
      'Issues of acme.',
    ],
  ] as const)('%s', (_label, description, expected) => {
    const [, child] = extendTools('github', [listIssues], {
      list_issues: ext({ childTools: [{ name: 'acme_issues', description, overrideParams: {} }] }),
    });
    expect(child?.definition.description).toBe(expected);
    expect(child?.definition.inputSchema).toEqual(listIssues.inputSchema);
  });

  it('appends to a parent without a description', () => {
    const [, child] = extendTools('github', [{ ...createIssue, description: undefined }], {
      create_issue: ext({
        childTools: [
          { name: 'c', description: { action: 'append', text: 'Extra.' }, overrideParams: {} },
        ],
      }),
    });
    expect(child?.definition.description).toBe('Extra.');
  });

  it('drops `required` when every required parameter is fixed', () => {
    const [, child] = extendTools('github', [createIssue], {
      create_issue: ext({
        childTools: [{ name: 'report_bug', overrideParams: { title: { value: 'Bug' } } }],
      }),
    });
    expect(child?.definition.inputSchema).toEqual({ type: 'object', properties: {} });
  });

  it('hides the parent and keeps its children', () => {
    const extended = extendTools('github', tools, {
      list_issues: ext({
        hideParent: true,
        childTools: [{ name: 'list_acme_issues', overrideParams: { owner: { value: 'acme' } } }],
      }),
    });
    expect(extended.map((tool) => [tool.name, tool.upstreamName])).toEqual([
      ['list_acme_issues', 'list_issues'],
      ['create_issue', 'create_issue'],
    ]);
  });

  it('replaces the parent in place with a child of the same name', () => {
    const extended = extendTools('github', tools, {
      create_issue: ext({
        childTools: [
          {
            name: 'create_issue',
            description: { action: 'rewrite', text: 'Open a ticket.' },
            overrideParams: {},
          },
        ],
      }),
    });
    expect(extended.map((tool) => [tool.name, tool.definition.description])).toEqual([
      ['list_issues', 'List issues of a repository.'],
      ['create_issue', 'Open a ticket.'],
    ]);
    expect(extended[1]?.upstreamName).toBe('create_issue');
  });

  it('keeps the parent’s title only on a same-name replacement', () => {
    const [renamed] = extendTools('github', [listIssues], {
      list_issues: ext({ hideParent: true, childTools: [{ name: 'acme', overrideParams: {} }] }),
    });
    const [same] = extendTools('github', [listIssues], {
      list_issues: ext({ childTools: [{ name: 'list_issues', overrideParams: {} }] }),
    });
    expect(renamed?.definition.title).toBeUndefined();
    expect(same?.definition.title).toBe('List issues');
  });

  it('drops a child that would shadow another upstream tool or an earlier child', () => {
    const extended = extendTools('github', tools, {
      list_issues: ext({
        childTools: [
          { name: 'create_issue', overrideParams: { owner: { value: 'evil' } } },
          { name: 'acme', overrideParams: { owner: { value: 'acme' } } },
          { name: 'acme', overrideParams: { owner: { value: 'other' } } },
        ],
      }),
    });
    expect(extended.map((tool) => [tool.name, tool.upstreamName, tool.fixedArguments])).toEqual([
      ['list_issues', 'list_issues', {}],
      ['acme', 'list_issues', { owner: 'acme' }],
      ['create_issue', 'create_issue', {}],
    ]);
  });

  it('ignores extensions of tools the server does not list', () => {
    const extended = extendTools('github', [createIssue], {
      missing: ext({ childTools: [{ name: 'ghost', overrideParams: {} }] }),
    });
    expect(extended.map((tool) => tool.name)).toEqual(['create_issue']);
  });
});

describe('applyFixedArguments', () => {
  const child = { fixedArguments: { owner: 'acme', state: 'open' } };
  it.each([
    [
      'adds fixed arguments to the agent’s',
      { repo: 'web' },
      { repo: 'web', owner: 'acme', state: 'open' },
    ],
    [
      'overrides an agent’s attempt to set a fixed argument',
      { owner: 'evil', repo: 'web' },
      { owner: 'acme', repo: 'web', state: 'open' },
    ],
    ['works without arguments', undefined, { owner: 'acme', state: 'open' }],
  ] as const)('%s', (_label, args, expected) => {
    expect(applyFixedArguments(child, args)).toEqual(expected);
  });

  it('passes arguments through for a tool without fixed ones', () => {
    expect(applyFixedArguments({ fixedArguments: {} }, { a: 1 })).toEqual({ a: 1 });
  });
});
