// The wrk adapter: the Lua script it writes and the summary it reads back.
import { describe, expect, it } from 'vitest';
import { parseWrkOutput, wrkScript } from './wrk.ts';

describe('wrkScript', () => {
  it('asks a proxy for the absolute URL and names the origin in Host', () => {
    const script = wrkScript({ proxied: true, originHost: 'origin.bench.test' }, 4000);
    expect(script).toContain('wrk.path = "http://origin.bench.test:4000/"');
    expect(script).toContain('wrk.headers["Host"] = "origin.bench.test:4000"');
  });

  it('asks the origin itself for the origin-form path when direct', () => {
    const script = wrkScript({ proxied: false, originHost: '127.0.0.1' }, 4000);
    expect(script).toContain('wrk.path = "/"');
  });
});

describe('parseWrkOutput', () => {
  it('reads requests per second, latency percentiles and errors from the summary line', () => {
    const output = [
      'Running 10s test @ http://127.0.0.1:1234/',
      'WRK_RESULT {"requests":50000,"durationUs":10000000,"socketErrors":2,"badStatus":1,"p50Us":1500,"p99Us":9000}',
      'Requests/sec:   5000.00',
    ].join('\n');
    expect(parseWrkOutput(output)).toEqual({
      requests: 50000,
      requestsPerSecond: 5000,
      p50Ms: 1.5,
      p99Ms: 9,
      socketErrors: 2,
      badStatus: 1,
    });
  });

  it('gives null when wrk stopped before printing its summary', () => {
    expect(parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toBeNull();
  });
});
