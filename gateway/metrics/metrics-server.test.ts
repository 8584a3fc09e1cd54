// The metrics endpoint on a real loopback socket: /metrics with the registry's content type, 404/405 elsewhere.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayMetrics } from './gateway-metrics.ts';
import {
  isLoopbackListenHost,
  type MetricsServer,
  MetricsServerError,
  parseMetricsListen,
  startMetricsServer,
} from './metrics-server.ts';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function started(): Promise<{ server: MetricsServer; base: string }> {
  const registry = new Registry();
  createGatewayMetrics(registry).toolCall({
    server: 'github',
    tool: 'create_issue',
    consumer: 'eng-agent',
    outcome: 'ok',
    durationMs: 5,
  });
  server = await startMetricsServer('127.0.0.1:0', registry);
  return { server, base: server.url.replace(/\/metrics$/, '') };
}

describe('startMetricsServer', () => {
  it('serves the registry at /metrics with Prometheus’ content type', async () => {
    const { server } = await started();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain(
      'airlock_tool_calls_total{server="github",tool="create_issue",consumer="eng-agent",outcome="ok"} 1',
    );
  });

  it.each([
    ['another path', '/', 'GET', 404],
    ['a prefix of the path', '/metricsX', 'GET', 404],
    ['a query string', '/metrics?name[]=x', 'GET', 200],
    ['POST', '/metrics', 'POST', 405],
    ['HEAD', '/metrics', 'HEAD', 200],
  ])('answers %s with %i', async (_, path, method, status) => {
    const { base } = await started();
    const response = await fetch(`${base}${path}`, { method });
    expect(response.status).toBe(status);
    if (status === 405) expect(response.headers.get('allow')).toBe('GET, HEAD');
    if (method === 'HEAD')
      expect(Number(response.headers.get('content-length'))).toBeGreaterThan(100);
  });

  it.each([
    ['not HOST:PORT', 'localhost', 'METRICS_LISTEN_INVALID'],
    ['a port out of range', '127.0.0.1:70000', 'METRICS_LISTEN_INVALID'],
    ['beyond loopback', '0.0.0.0:0', 'METRICS_LISTEN_BEYOND_LOOPBACK'],
  ])('refuses a listen address %s without binding', async (_, listen, code) => {
    const error = await startMetricsServer(listen, new Registry()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsServerError);
    expect((error as MetricsServerError).code).toBe(code);
  });

  it('says METRICS_LISTEN_FAILED when the port is taken', async () => {
    const { server } = await started();
    const port = new URL(server.url).port;
    const error = await startMetricsServer(`127.0.0.1:${port}`, new Registry()).catch(
      (e: unknown) => e,
    );
    expect((error as MetricsServerError).code).toBe('METRICS_LISTEN_FAILED');
  });

  it('closes idempotently', async () => {
    const { server } = await started();
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(server.url)).rejects.toThrow();
  });
});

describe('parseMetricsListen', () => {
  it.each([
    ['127.0.0.1:3000', { host: '127.0.0.1', port: 3000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:9100', { host: '::1', port: 9100 }],
    ['::1:9100', undefined],
    ['127.0.0.1', undefined],
    ['127.0.0.1:', undefined],
    ['host:99999', undefined],
  ])('%s → %o', (text, expected) => {
    expect(parseMetricsListen(text)).toEqual(expected);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['::', false],
  ])('loopback %s → %s', (host, expected) => {
    expect(isLoopbackListenHost(host)).toBe(expected);
  });
});
