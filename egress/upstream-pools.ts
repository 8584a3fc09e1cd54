// Keep-alive connection pools to origins for forwarded HTTP, keyed so a pool only ever reaches the address it was made for.
import { isIP } from 'node:net';
import { Pool } from 'undici';

export interface UpstreamOptions {
  readonly connectTimeoutMs: number;
  /** Longest silence between bytes (headers or body); there is no total timeout so SSE streams live. */
  readonly idleTimeoutMs: number;
  /** Extra CA certificates for https origins (tests, private providers); the system store otherwise. */
  readonly ca?: string | readonly string[];
}

const maxPools = 512;

/** Keep-alive connection pools, one per dialed address + TLS name, so a pool never reaches another address. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly options: UpstreamOptions;

  constructor(options: UpstreamOptions) {
    this.options = options;
  }

  poolFor(scheme: 'http' | 'https', ip: string, port: number, host: string): Pool {
    const address = isIP(ip) === 6 ? `[${ip}]` : ip;
    const origin = `${scheme}://${address}:${port}`;
    const key = `${origin} ${host}`;
    let pool = this.pools.get(key);
    if (pool !== undefined) {
      // Most recently used last, so the first entry is the one to retire when there are too many.
      this.pools.delete(key);
      this.pools.set(key, pool);
    } else {
      const ca = this.options.ca === undefined ? undefined : [this.options.ca].flat();
      pool = new Pool(origin, {
        connections: 64,
        connectTimeout: this.options.connectTimeoutMs,
        headersTimeout: this.options.idleTimeoutMs,
        bodyTimeout: this.options.idleTimeoutMs,
        connect:
          scheme === 'https'
            ? { servername: isIP(host) === 0 ? host : undefined, ...(ca ? { ca } : {}) }
            : undefined,
      });
      this.pools.set(key, pool);
      this.retireOldest();
    }
    return pool;
  }

  /** Bounds memory when servers reach many hosts: the least recently used pool finishes its requests and closes. */
  private retireOldest(): void {
    while (this.pools.size > maxPools) {
      const [key, pool] = this.pools.entries().next().value!;
      this.pools.delete(key);
      pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.destroy()));
  }
}
