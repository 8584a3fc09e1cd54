// The reference proxies' throwaway configs: loopback only, only the origin admitted, nothing kept on disk.
import { describe, expect, it } from 'vitest';
import { airlockAppYaml, airlockBenchFlow } from './airlock.ts';
import { squidConfig, squidHostsFile } from './squid.ts';
import { tinyproxyConfig } from './tinyproxy.ts';

describe('squidConfig', () => {
  const config = squidConfig({
    dir: '/tmp/x',
    port: 3128,
    originPorts: [4000, 4001],
    effectiveUser: null,
  });
  const lines = config.trim().split('\n');

  it('listens on loopback only and admits only loopback clients to the origin ports', () => {
    expect(lines).toContain('http_port 127.0.0.1:3128');
    expect(lines).toContain('acl bench_ports port 4000 4001');
    expect(lines).toContain('http_access allow bench_client bench_origin bench_ports');
    expect(
      lines.at(lines.indexOf('http_access allow bench_client bench_origin bench_ports') + 1),
    ).toBe('http_access deny all');
  });

  it('caches nothing, logs no access and resolves only through its hosts file or loopback', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        'cache deny all',
        'access_log none',
        'hosts_file /tmp/x/hosts',
        'dns_nameservers 127.0.0.1',
      ]),
    );
    expect(config).not.toMatch(/cache_dir/);
    expect(squidHostsFile()).toBe('127.0.0.1 origin.bench.test\n');
  });

  it('names the user to drop to only when one is given', () => {
    expect(config).not.toMatch(/cache_effective_user/);
    const asRoot = squidConfig({
      dir: '/tmp/x',
      port: 1,
      originPorts: [2],
      effectiveUser: 'proxy',
    });
    expect(asRoot).toMatch(/^cache_effective_user proxy$/m);
  });
});

describe('tinyproxyConfig', () => {
  it('listens and allows loopback only and tunnels only to the origin ports', () => {
    const config = tinyproxyConfig({ dir: '/tmp/y', port: 8888, connectPorts: [4001], user: null });
    expect(config.split('\n')).toEqual(
      expect.arrayContaining([
        'Port 8888',
        'Listen 127.0.0.1',
        'Allow 127.0.0.1',
        'ConnectPort 4001',
      ]),
    );
    expect(config).not.toMatch(/^User /m);
  });
});

describe('Airlock bench config', () => {
  it('maps the bench name to loopback and admits loopback for one anonymous identity', () => {
    const app = airlockAppYaml();
    expect(app).toMatch(/^ {2}anonymous: bench$/m);
    expect(app).toContain('allowAddresses: ["127.0.0.1/32"]');
    expect(app).toMatch(/^ {4}origin\.bench\.test: 127\.0\.0\.1$/m);
  });

  it('writes a short-form flow allowing exactly the origin ports and forbidding the rest', () => {
    const flow = airlockBenchFlow([4000, 4001]);
    expect(flow).toContain('- "origin.bench.test:4000/*"');
    expect(flow).toContain('- "origin.bench.test:4001/*"');
    expect(flow).toContain('processor: GenerateResponse');
  });
});
