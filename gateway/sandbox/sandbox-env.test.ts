// sandboxEnv: the whole environment inside a sandbox.
import { describe, expect, it } from 'vitest';
import { sandboxEnv } from './sandbox-env.ts';

describe('sandboxEnv', () => {
  const inside = {
    bootstrap: '/run/airlock/proxy-bootstrap.mjs',
    stateDir: '/data/servers/s',
    path: '/usr/bin:/bin',
  };
  it('points every proxy variable at the relay and empties NO_PROXY', () => {
    const env = sandboxEnv({}, inside);
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
      expect(env[name]).toBe('http://127.0.0.1:3128');
    expect(env.NO_PROXY).toBe('');
    expect(env.no_proxy).toBe('');
    expect(env.NODE_USE_ENV_PROXY).toBe('1');
    expect(env.NODE_OPTIONS).toBe('--import /run/airlock/proxy-bootstrap.mjs');
  });
  it('keeps the server env, but not its attempt to bypass the proxy', () => {
    const env = sandboxEnv(
      { TOKEN: 'x', NO_PROXY: '*', HTTPS_PROXY: '', NODE_OPTIONS: '--max-old-space-size=64' },
      inside,
    );
    expect(env.TOKEN).toBe('x');
    expect(env.NO_PROXY).toBe('');
    expect(env.HTTPS_PROXY).toBe('http://127.0.0.1:3128');
    expect(env.NODE_OPTIONS).toBe(
      '--import /run/airlock/proxy-bootstrap.mjs --max-old-space-size=64',
    );
  });
  it('takes nothing from the host env but PATH', () => {
    expect(Object.keys(sandboxEnv({}, inside)).sort()).toEqual(
      [
        'AIRLOCK_STATE_DIR',
        'HOME',
        'HTTPS_PROXY',
        'HTTP_PROXY',
        'LANG',
        'NODE_OPTIONS',
        'NODE_USE_ENV_PROXY',
        'NO_PROXY',
        'PATH',
        'TMPDIR',
        'http_proxy',
        'https_proxy',
        'no_proxy',
      ].sort(),
    );
  });
});
