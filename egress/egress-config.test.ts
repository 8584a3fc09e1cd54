// The egress section of app.yaml: defaults, and each kind of mistake reported at its field and line.
import { describe, expect, it } from 'vitest';
import { parseEgressConfig } from './egress-config.ts';

describe('parseEgressConfig', () => {
  it.each([
    { text: '', ok: true },
    { text: 'egress:\n  mode: audit\n', field: 'egress.mode', line: 2 },
    {
      text: 'egress:\n  connectTimeoutSeconds: "10"\n',
      field: 'egress.connectTimeoutSeconds',
      line: 2,
    },
    {
      text: 'egress:\n  allowAddresses:\n    - 127.0.0.1/8\n    - not-an-ip\n',
      field: 'egress.allowAddresses[1]',
      line: 4,
    },
    {
      text: 'egress:\n  hosts:\n    api.test: 999.1.1.1\n',
      field: 'egress.hosts.api.test',
      line: 3,
    },
    { text: 'egress:\n  listen: nowhere\n', field: 'egress.listen', line: 2 },
    { text: 'egress:\n  anonymous: "../x"\n', field: 'egress.anonymous', line: 2 },
  ])('$text → field $field', ({ text, ok, field, line }) => {
    const result = parseEgressConfig('app.yaml', text);
    expect(result.ok).toBe(ok === true);
    if (!result.ok) {
      expect(result.errors[0]).toMatchObject({ field, line, file: 'app.yaml' });
    }
  });

  it('fills defaults and accepts one address or a list per host', () => {
    const result = parseEgressConfig(
      'app.yaml',
      'egress:\n  hosts:\n    a.test: 127.0.0.1\n    b.test: [127.0.0.1, "::1"]\n',
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        mode: 'enforce',
        default: 'deny',
        listen: '127.0.0.1:8080',
        allowAddresses: [],
        hosts: { 'a.test': ['127.0.0.1'], 'b.test': ['127.0.0.1', '::1'] },
        connectTimeoutSeconds: 10,
        idleTimeoutSeconds: 300,
        maxHeaderBytes: 16384,
      },
    });
  });
});
