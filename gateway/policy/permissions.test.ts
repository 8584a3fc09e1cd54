// MCPX permission semantics, decision AND reason: consumer rule else default, groups, `*`, union, disabled first.
import { describe, expect, it } from 'vitest';
import { PolicyConfigError } from './errors.ts';
import {
  compilePermissions,
  decidePermission,
  decideServerAccess,
  type PermissionDecision,
  type PermissionSettings,
} from './permissions.ts';

const settings: PermissionSettings = {
  toolGroups: [
    { name: 'engineering', services: { postgres: '*', github: '*' } },
    { name: 'customer-success', services: { slack: '*' } },
    {
      name: 'readers',
      services: { github: ['list_issues', 'get_issue'], slack: ['list_channels'] },
    },
    { name: 'writers', services: { github: ['create_issue'] } },
    // A second definition of a group merges with the first by union.
    { name: 'writers', services: { github: ['update_issue'] } },
    { name: 'dangerous', services: { github: ['delete_repository', 'create_issue'] } },
  ],
  permissions: {
    default: { type: 'default-block', allow: [] },
    consumers: {
      'eng-agent': { type: 'default-block', allow: ['engineering'] },
      'cs-agent': { type: 'default-block', allow: ['customer-success'] },
      reader: { type: 'default-block', allow: ['readers', 'writers'] },
      'careful-admin': { type: 'default-allow', block: ['dangerous'] },
      everyone: { type: 'default-allow', block: [] },
      'no-slack': { type: 'default-allow', block: ['customer-success'] },
    },
  },
  disabledTools: { github: ['delete_branch'], legacy: '*' },
};
const compiled = compilePermissions(settings);

const allow = (rule: string, reason: string): PermissionDecision => ({ allow: true, rule, reason });
const deny = (rule: string, reason: string): PermissionDecision => ({ allow: false, rule, reason });

type Case = [
  label: string,
  consumer: string,
  server: string,
  tool: string,
  expected: PermissionDecision,
];

const cases: Case[] = [
  [
    'allows a tool of a server its group grants whole',
    'eng-agent',
    'postgres',
    'query',
    allow(
      'permissions.consumers.eng-agent',
      'consumer eng-agent: default-block, tool postgres/query is in its allowed groups (engineering)',
    ),
  ],
  [
    'denies a tool in none of its allowed groups',
    'cs-agent',
    'github',
    'create_issue',
    deny(
      'permissions.consumers.cs-agent',
      'consumer cs-agent: default-block, tool github/create_issue is in none of its allowed groups (customer-success)',
    ),
  ],
  [
    'allows a tool its group lists by name',
    'reader',
    'github',
    'get_issue',
    allow(
      'permissions.consumers.reader',
      'consumer reader: default-block, tool github/get_issue is in its allowed groups (readers)',
    ),
  ],
  [
    'denies a tool of a listed server that the group does not list',
    'reader',
    'github',
    'merge_pull_request',
    deny(
      'permissions.consumers.reader',
      'consumer reader: default-block, tool github/merge_pull_request is in none of its allowed groups (readers, writers)',
    ),
  ],
  [
    'merges the two definitions of a group by union',
    'reader',
    'github',
    'update_issue',
    allow(
      'permissions.consumers.reader',
      'consumer reader: default-block, tool github/update_issue is in its allowed groups (writers)',
    ),
  ],
  [
    'unions the groups of one rule',
    'reader',
    'slack',
    'list_channels',
    allow(
      'permissions.consumers.reader',
      'consumer reader: default-block, tool slack/list_channels is in its allowed groups (readers)',
    ),
  ],
  [
    'blocks a tool a blocked group lists',
    'careful-admin',
    'github',
    'delete_repository',
    deny(
      'permissions.consumers.careful-admin',
      'consumer careful-admin: default-allow, tool github/delete_repository is in its blocked groups (dangerous)',
    ),
  ],
  [
    'allows a tool no blocked group lists',
    'careful-admin',
    'github',
    'list_issues',
    allow(
      'permissions.consumers.careful-admin',
      'consumer careful-admin: default-allow, tool github/list_issues is in none of its blocked groups (dangerous)',
    ),
  ],
  [
    'blocks every tool of a server a blocked group takes whole',
    'no-slack',
    'slack',
    'post_message',
    deny(
      'permissions.consumers.no-slack',
      'consumer no-slack: default-allow, tool slack/post_message is in its blocked groups (customer-success)',
    ),
  ],
  [
    'allows anything under default-allow without blocks',
    'everyone',
    'unknown-server',
    'whatever',
    allow(
      'permissions.consumers.everyone',
      'consumer everyone: default-allow, tool unknown-server/whatever is in none of its blocked groups (none)',
    ),
  ],
  [
    'uses the default rule for a consumer without its own',
    'stranger',
    'postgres',
    'query',
    deny(
      'permissions.default',
      'consumer stranger (default rule): default-block, tool postgres/query is in none of its allowed groups (none)',
    ),
  ],
  [
    'matches consumer names exactly',
    'ENG-AGENT',
    'postgres',
    'query',
    deny(
      'permissions.default',
      'consumer ENG-AGENT (default rule): default-block, tool postgres/query is in none of its allowed groups (none)',
    ),
  ],
  [
    'denies a disabled tool even to a consumer whose group grants the server whole',
    'eng-agent',
    'github',
    'delete_branch',
    deny('disabledTools.github', 'tool github/delete_branch is disabled for everyone'),
  ],
  [
    'denies a disabled tool under default-allow',
    'everyone',
    'github',
    'delete_branch',
    deny('disabledTools.github', 'tool github/delete_branch is disabled for everyone'),
  ],
  [
    'denies every tool of a server disabled whole',
    'everyone',
    'legacy',
    'anything',
    deny('disabledTools.legacy', 'tool legacy/anything is disabled for everyone'),
  ],
  [
    'does not treat a prototype key as a consumer',
    '__proto__',
    'postgres',
    'query',
    deny(
      'permissions.default',
      'consumer __proto__ (default rule): default-block, tool postgres/query is in none of its allowed groups (none)',
    ),
  ],
];

describe('decidePermission', () => {
  it.each(cases)('%s', (_label, consumer, server, tool, expected) => {
    expect(decidePermission(compiled, consumer, server, tool)).toEqual(expected);
  });
});

describe('decidePermission for a child tool', () => {
  const childCases: [
    label: string,
    consumer: string,
    tool: string,
    parent: string,
    expected: PermissionDecision,
  ][] = [
    [
      'allows a child its group lists by its own name',
      'reader',
      'list_acme_issues',
      'list_issues',
      allow(
        'permissions.consumers.reader',
        'consumer reader: default-block, tool github/list_acme_issues (child of list_issues) is in its allowed groups (readers)',
      ),
    ],
    [
      'allows a child whose parent is allowed',
      'reader',
      'create_acme_issue',
      'create_issue',
      allow(
        'permissions.consumers.reader',
        'consumer reader: default-block, tool github/create_acme_issue (child of create_issue) is in its allowed groups (writers)',
      ),
    ],
    [
      'blocks a child whose parent is blocked',
      'careful-admin',
      'delete_scratch_repository',
      'delete_repository',
      deny(
        'permissions.consumers.careful-admin',
        'consumer careful-admin: default-allow, tool github/delete_scratch_repository (child of delete_repository) is in its blocked groups (dangerous)',
      ),
    ],
    [
      'disables a child whose parent is disabled',
      'eng-agent',
      'delete_feature_branch',
      'delete_branch',
      deny(
        'disabledTools.github',
        'tool github/delete_feature_branch (child of delete_branch) calls delete_branch, which is disabled for everyone',
      ),
    ],
  ];
  it.each(childCases)('%s', (_label, consumer, tool, parent, expected) => {
    expect(decidePermission(compiled, consumer, 'github', tool, parent)).toEqual(expected);
  });

  it('allows a child listed by name even when its parent is not', () => {
    const narrow = compilePermissions({
      ...settings,
      toolGroups: [{ name: 'acme', services: { github: ['list_acme_issues'] } }],
      permissions: { default: { type: 'default-block', allow: ['acme'] }, consumers: {} },
    });
    expect(decidePermission(narrow, 'x', 'github', 'list_acme_issues', 'list_issues').allow).toBe(
      true,
    );
    expect(decidePermission(narrow, 'x', 'github', 'list_issues').allow).toBe(false);
  });
});

describe('decideServerAccess', () => {
  const serverCases: [
    label: string,
    consumer: string,
    server: string,
    expected: PermissionDecision,
  ][] = [
    [
      'shows a server an allowed group grants whole',
      'eng-agent',
      'github',
      allow(
        'permissions.consumers.eng-agent',
        'consumer eng-agent: default-block, server github is named by its allowed groups (engineering)',
      ),
    ],
    [
      'shows a server an allowed group names by tool',
      'reader',
      'slack',
      allow(
        'permissions.consumers.reader',
        'consumer reader: default-block, server slack is named by its allowed groups (readers)',
      ),
    ],
    [
      'hides a server no allowed group names',
      'cs-agent',
      'postgres',
      deny(
        'permissions.consumers.cs-agent',
        'consumer cs-agent: default-block, server postgres is in none of its allowed groups (customer-success)',
      ),
    ],
    [
      'hides a server a blocked group takes whole',
      'no-slack',
      'slack',
      deny(
        'permissions.consumers.no-slack',
        'consumer no-slack: default-allow, server slack is blocked whole by (customer-success)',
      ),
    ],
    [
      'shows a server a blocked group only names by tool',
      'careful-admin',
      'github',
      allow(
        'permissions.consumers.careful-admin',
        'consumer careful-admin: default-allow, server github is not blocked whole by any of (dangerous)',
      ),
    ],
  ];
  it.each(serverCases)('%s', (_label, consumer, server, expected) => {
    expect(decideServerAccess(compiled, consumer, server)).toEqual(expected);
  });
});

describe('compilePermissions', () => {
  it('refuses a rule naming a group that does not exist, naming the field', () => {
    const bad = {
      ...settings,
      permissions: {
        default: settings.permissions.default,
        consumers: { ops: { type: 'default-allow' as const, block: ['dangerous', 'dangerus'] } },
      },
    };
    let error: unknown;
    try {
      compilePermissions(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect(error).toMatchObject({
      code: 'unknown-tool-group',
      field: 'permissions.consumers.ops.block[1]',
      message: 'permissions.consumers.ops.block[1]: no tool group named "dangerus"',
    });
  });

  it('refuses an unknown group in the default rule', () => {
    const bad = {
      ...settings,
      permissions: { default: { type: 'default-block' as const, allow: ['nope'] }, consumers: {} },
    };
    expect(() => compilePermissions(bad)).toThrow(
      'permissions.default.allow[0]: no tool group named "nope"',
    );
  });
});
