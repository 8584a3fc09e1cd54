// The gateway sections of app.yaml: MCPX examples load, `_type` is inferred, and each mistake is reported at its field.
import { describe, expect, it } from 'vitest';
import { hashApiKey } from './api-keys.ts';
import { defaultGatewaySettings, parseGatewaySettings } from './app-config.ts';

const hash = hashApiKey('alk_example');

// Use case 1 of the MCPX article: Engineering and Customer Success groups, one key each.
const mcpxExample = `# Lunar MCPX app.yaml
permissions:
  default:
    _type: default-block
    allow: []
  consumers:
    eng-agent:
      _type: default-block
      allow:
        - Engineering
    cs-agent:
      allow: [Customer Success]   # _type inferred: default-block
    auditor:
      block: [Engineering]        # _type inferred: default-allow
toolGroups:
  - name: Engineering
    services:
      postgres: "*"
      github: [create_issue, list_issues]
  - name: Customer Success
    services:
      slack: "*"
auth:
  enabled: true
  keys:
    eng-agent: ${hash}
toolExtensions:
  services:
    slack:
      post_message:
        hideParent: true
        childTools:
          - name: post_to_general
            description:
              action: rewrite
              text: 'Post a message to #general.'
            overrideParams:
              channel_id:
                value: C0123
disabledTools:
  github: [delete_repository]
  legacy: "*"
naming: conditional
allowedOrigins: [https://app.example.com]
listen:
  mcp: 127.0.0.1:9100
egress:
  mode: report
`;

describe('parseGatewaySettings: what loads', () => {
  it('reads an MCPX app.yaml, inferring _type from the one list given', () => {
    const result = parseGatewaySettings('app.yaml', mcpxExample);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    const { settings } = result;
    expect(settings.permissions).toEqual({
      default: { type: 'default-block', allow: [] },
      consumers: {
        'eng-agent': { type: 'default-block', allow: ['Engineering'] },
        'cs-agent': { type: 'default-block', allow: ['Customer Success'] },
        auditor: { type: 'default-allow', block: ['Engineering'] },
      },
    });
    expect(settings.toolGroups[0]).toEqual({
      name: 'Engineering',
      services: { postgres: '*', github: ['create_issue', 'list_issues'] },
    });
    expect(settings.auth).toEqual({
      enabled: true,
      header: 'x-lunar-api-key',
      keys: { 'eng-agent': hash },
    });
    expect(settings.toolExtensions).toEqual({
      slack: {
        post_message: {
          hideParent: true,
          childTools: [
            {
              name: 'post_to_general',
              description: { action: 'rewrite', text: 'Post a message to #general.' },
              overrideParams: { channel_id: { value: 'C0123' } },
            },
          ],
        },
      },
    });
    expect(settings.disabledTools).toEqual({ github: ['delete_repository'], legacy: '*' });
    expect(settings.naming).toBe('conditional');
    expect(settings.allowedOrigins).toEqual(['https://app.example.com']);
    expect(settings.listen).toEqual({
      mcp: '127.0.0.1:9100',
      dashboard: '127.0.0.1:5173',
      metrics: '127.0.0.1:3000',
    });
  });

  it.each([
    { why: 'an empty file', text: '' },
    { why: 'only an egress section', text: 'egress:\n  mode: report\n' },
  ])('gives the defaults for $why: allow everything, no auth, loopback', ({ text }) => {
    const result = parseGatewaySettings('app.yaml', text);
    expect(result).toEqual({ ok: true, settings: defaultGatewaySettings(), warnings: [] });
    expect(defaultGatewaySettings()).toEqual({
      permissions: { default: { type: 'default-allow', block: [] }, consumers: {} },
      toolGroups: [],
      auth: { enabled: false, header: 'x-lunar-api-key', keys: {} },
      toolExtensions: {},
      disabledTools: {},
      naming: 'prefix',
      allowedOrigins: [],
      listen: { mcp: '127.0.0.1:9000', dashboard: '127.0.0.1:5173', metrics: '127.0.0.1:3000' },
    });
  });

  it.each([
    { written: '{_type: default-allow}', rule: { type: 'default-allow', block: [] } },
    { written: '{_type: default-block}', rule: { type: 'default-block', allow: [] } },
    { written: '{block: []}', rule: { type: 'default-allow', block: [] } },
    { written: '{allow: []}', rule: { type: 'default-block', allow: [] } },
    { written: '{_type: default-allow, allow: []}', rule: { type: 'default-allow', block: [] } },
    { written: '{block: [g]}', rule: { type: 'default-allow', block: ['g'] } },
  ])('reads the rule $written', ({ written, rule }) => {
    const text = `toolGroups: [{name: g, services: {s: "*"}}]\npermissions:\n  default: ${written}\n`;
    const result = parseGatewaySettings('app.yaml', text);
    expect(result.ok && result.settings.permissions.default).toEqual(rule);
  });

  it('reads MCPX short-form fixed parameters beside the {value} form', () => {
    const text = [
      'toolExtensions:',
      '  services:',
      '    time:',
      '      get_current_time:',
      '        childTools:',
      '          - name: get_current_time_paris',
      '            overrideParams:',
      '              timezone: Europe/Paris',
      '              limit: {value: 5, description: at most five}',
      '              filter: {value: {kind: open}}',
      '              tags: [a, b]',
    ].join('\n');
    const result = parseGatewaySettings('app.yaml', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const child = result.settings.toolExtensions.time?.get_current_time?.childTools[0];
    expect(child?.overrideParams).toEqual({
      timezone: { value: 'Europe/Paris' },
      limit: { value: 5 },
      filter: { value: { kind: 'open' } },
      tags: { value: ['a', 'b'] },
    });
  });

  it('reads the older MCPX base/profiles form', () => {
    const text = [
      'toolGroups: [{name: reads, services: {s: "*"}}, {name: writes, services: {s: [w]}}]',
      'permissions:',
      '  base: block',
      '  consumers:',
      '    developers:',
      '      base: allow',
      '      profiles:',
      '        block: [writes]',
      '    viewers:',
      '      base: block',
      '      profiles: {allow: [reads]}',
    ].join('\n');
    const result = parseGatewaySettings('app.yaml', text);
    expect(result.ok && result.settings.permissions).toEqual({
      default: { type: 'default-block', allow: [] },
      consumers: {
        developers: { type: 'default-allow', block: ['writes'] },
        viewers: { type: 'default-block', allow: ['reads'] },
      },
    });
  });

  it('lower-cases a custom key header', () => {
    const result = parseGatewaySettings('app.yaml', 'auth:\n  header: X-Team-Key\n');
    expect(result.ok && result.settings.auth.header).toBe('x-team-key');
  });
});

describe('parseGatewaySettings: warnings', () => {
  it.each([
    { why: 'an unknown section', text: 'tools: {}\n', field: 'tools', problem: 'unknown-field' },
    {
      why: 'auth enabled with no keys',
      text: 'auth:\n  enabled: true\n',
      field: 'auth.enabled',
      problem: 'missing-field',
    },
    {
      why: 'a server missing from mcp.json',
      text: 'disabledTools:\n  ghost: "*"\n',
      field: 'disabledTools.ghost',
      problem: 'unknown-server',
    },
  ])('warns about $why and still loads', ({ text, field, problem }) => {
    const result = parseGatewaySettings('app.yaml', text, new Set(['real']));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map((w) => [w.field, w.problem, w.severity])).toEqual([
      [field, problem, 'warning'],
    ]);
  });
});
