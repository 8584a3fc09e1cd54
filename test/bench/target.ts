// What every measured path looks like to the load generators: direct to the origin, or through a proxy.
export interface Target {
  /** `direct`, `airlock`, `squid`, `tinyproxy`. */
  readonly name: string;
  /** The loopback port clients connect to: the proxy's, or the origin's own for `direct`. */
  readonly port: number;
  /** True when requests go in absolute form and tunnels through CONNECT. */
  readonly proxied: boolean;
  /** Host name the client asks the proxy for (a name the proxy maps to loopback, or 127.0.0.1). */
  readonly originHost: string;
  /** Optional text to show after the name (how the proxy was set up). */
  readonly note: string;
  stop(): Promise<void>;
}

/** The host name Airlock and Squid map to 127.0.0.1 (`egress.hosts`, `hosts_file`): no DNS involved. */
export const ORIGIN_NAME = 'origin.bench.test';
