// Each mistake in the gateway sections of app.yaml is reported at its file, line and field, and never echoes a key.
import { describe, expect, it } from 'vitest';
import { hashApiKey } from './api-keys.ts';
import { parseGatewaySettings } from './app-config.ts';

const hash = hashApiKey('alk_example');

describe('parseGatewaySettings: errors name file, line, column and field', () => {
  it.each([
    {
      why: 'both allow and block without _type',
      text: 'permissions:\n  default:\n    allow: []\n    block: []\n',
      problem: 'contradiction',
      field: 'permissions.default.allow',
      line: 3,
    },
    {
      why: 'a list that contradicts _type',
      text: 'toolGroups: [{name: g, services: {s: "*"}}]\npermissions:\n  consumers:\n    a:\n      _type: default-allow\n      allow: [g]\n',
      problem: 'contradiction',
      field: 'permissions.consumers.a.allow',
      line: 6,
    },
    {
      why: 'a rule with nothing in it',
      text: 'permissions:\n  consumers:\n    a: {}\n',
      problem: 'contradiction',
      field: 'permissions.consumers.a',
      line: 3,
    },
    {
      why: 'an unknown _type',
      text: 'permissions:\n  default:\n    _type: allow-all\n',
      problem: 'wrong-type',
      field: 'permissions.default._type',
      line: 3,
    },
    {
      why: 'an unknown group in the older profiles form',
      text: 'permissions:\n  consumers:\n    a:\n      base: block\n      profiles:\n        allow: [nope]\n',
      problem: 'unknown-group',
      field: 'permissions.consumers.a.profiles.allow[0]',
      line: 6,
    },
    {
      why: 'the older and newer forms mixed',
      text: 'permissions:\n  consumers:\n    a:\n      base: block\n      allow: []\n',
      problem: 'contradiction',
      field: 'permissions.consumers.a.base',
      line: 4,
    },
    {
      why: 'a permission naming an unknown group',
      text: 'toolGroups:\n  - name: reads\n    services: {s: "*"}\npermissions:\n  consumers:\n    a:\n      allow: [reads, writes]\n',
      problem: 'unknown-group',
      field: 'permissions.consumers.a.allow[1]',
      line: 7,
    },
    {
      why: 'a group defined twice',
      text: 'toolGroups:\n  - name: g\n    services: {}\n  - name: g\n    services: {}\n',
      problem: 'contradiction',
      field: 'toolGroups[1].name',
      line: 4,
    },
    {
      why: 'a group service that is neither "*" nor a list',
      text: 'toolGroups:\n  - name: g\n    services:\n      slack: all\n',
      problem: 'wrong-type',
      field: 'toolGroups[0].services.slack',
      line: 4,
    },
    {
      why: 'a group without services',
      text: 'toolGroups:\n  - name: g\n',
      problem: 'missing-field',
      field: 'toolGroups[0].services',
      line: 2,
    },
    {
      why: 'a plaintext key where a hash belongs',
      text: 'auth:\n  enabled: true\n  keys:\n    eng: alk_plaintext\n',
      problem: 'wrong-type',
      field: 'auth.keys.eng',
      line: 4,
    },
    {
      why: 'auth.enabled that is not a boolean',
      text: 'auth:\n  enabled: "yes"\n',
      problem: 'wrong-type',
      field: 'auth.enabled',
      line: 2,
    },
    {
      why: 'an unknown description action',
      text: 'toolExtensions:\n  services:\n    s:\n      t:\n        childTools:\n          - name: c\n            description: {action: prepend, text: x}\n',
      problem: 'wrong-type',
      field: 'toolExtensions.services.s.t.childTools[0].description.action',
      line: 7,
    },
    {
      why: 'an override without value',
      text: 'toolExtensions:\n  services:\n    s:\n      t:\n        childTools:\n          - name: c\n            overrideParams:\n              p: {}\n',
      problem: 'wrong-type',
      field: 'toolExtensions.services.s.t.childTools[0].overrideParams.p',
      line: 8,
    },
    {
      why: 'a child tool named like another extended tool',
      text: 'toolExtensions:\n  services:\n    s:\n      t:\n        childTools:\n          - name: u\n      u:\n        hideParent: false\n',
      problem: 'contradiction',
      field: 'toolExtensions.services.s.t.childTools[0].name',
      line: 6,
    },
    {
      why: 'an unknown field in a known section',
      text: 'auth:\n  enabled: false\n  token: x\n',
      problem: 'unknown-field',
      field: 'auth.token',
      line: 3,
    },
    {
      why: 'an unknown naming mode',
      text: 'naming: short\n',
      problem: 'wrong-type',
      field: 'naming',
      line: 1,
    },
    {
      why: 'an origin with a path',
      text: 'allowedOrigins:\n  - https://app.example.com/x\n',
      problem: 'wrong-type',
      field: 'allowedOrigins[0]',
      line: 2,
    },
    {
      why: 'a listen address without port',
      text: 'listen:\n  metrics: localhost\n',
      problem: 'wrong-type',
      field: 'listen.metrics',
      line: 2,
    },
    {
      why: 'listening beyond loopback without auth',
      text: 'listen:\n  mcp: 0.0.0.0:9000\n',
      problem: 'contradiction',
      field: 'listen.mcp',
      line: 2,
    },
    {
      why: 'a YAML syntax error',
      text: 'naming: prefix\nauth:\n  enabled: true\n header: x\n',
      problem: 'syntax',
      field: '',
      line: 4,
    },
    {
      why: 'a document that is a list',
      text: '- a\n',
      problem: 'not-a-mapping',
      field: '',
      line: 1,
    },
  ])('reports $why', ({ text, problem, field, line }) => {
    const result = parseGatewaySettings('config/app.yaml', text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({
      code: 'GATEWAY_CONFIG_INVALID',
      file: 'config/app.yaml',
      problem,
      field,
      line,
    });
    const shown = field === '' ? '(document)' : field;
    expect(result.errors[0]?.message).toMatch(
      new RegExp(`^config/app\\.yaml:${line}:\\d+: ${shown.replace(/[.[\]()]/g, '\\$&')}: `),
    );
  });

  it('never repeats a plaintext key in the error', () => {
    const result = parseGatewaySettings('app.yaml', 'auth:\n  keys:\n    eng: alk_plaintext\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.message).not.toContain('alk_plaintext');
    expect(result.errors[0]?.message).toContain('airlock keys create');
  });

  it('allows listening beyond loopback once auth is enabled', () => {
    const text = `listen:\n  mcp: 0.0.0.0:9000\nauth:\n  enabled: true\n  keys: {a: "${hash}"}\n`;
    expect(parseGatewaySettings('app.yaml', text).ok).toBe(true);
  });
});
