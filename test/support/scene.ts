// The shared e2e scene: HTTP and HTTPS origins on loopback (test CA), and an egress whose hosts map provider names to them.
import { createServer } from 'node:net';
import { startTestEgress, type TestEgress } from './egress-harness.ts';
import { slackExampleOnPorts } from './flow-texts.ts';
import { type Origin, startHttpOrigin, startHttpsOrigin } from './origin.ts';
import { createTestCertificates, type TestCertificates } from './test-ca.ts';

/** The server identity the TCP clients of the scene use. */
export const SERVER = 'agent-tools';

export interface Scene {
  readonly certs: TestCertificates;
  readonly http: Origin;
  readonly https: Origin;
  /** A loopback port nothing listens on (allowed by flows and addresses: the origin "refuses"). */
  readonly deadPort: number;
  readonly t: TestEgress;
  /** Proxy-Authorization value for SERVER. */
  readonly auth: string;
  close(): Promise<void>;
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * api.slack.com and api.badactor.com map to the origins on 127.0.0.1; www.googleapis.com maps to
 * 127.0.0.2, which the flow allows but allowAddresses does not, so only the address guard stops it.
 */
export async function startScene(): Promise<Scene> {
  const certs = createTestCertificates(['api.slack.com', 'www.googleapis.com', 'api.badactor.com']);
  const [http, https, deadPort] = await Promise.all([
    startHttpOrigin(),
    startHttpsOrigin(certs),
    unusedPort(),
  ]);
  const t = await startTestEgress({
    egress: {
      hosts: {
        'api.slack.com': '127.0.0.1',
        'api.badactor.com': '127.0.0.1',
        'www.googleapis.com': '127.0.0.2',
      },
      allowAddresses: [
        `127.0.0.1/32:${http.port}`,
        `127.0.0.1/32:${https.port}`,
        `127.0.0.1/32:${deadPort}`,
      ],
    },
    flows: { 'slack.yaml': slackExampleOnPorts([http.port, https.port, deadPort]) },
    upstreamCa: certs.ca,
  });
  return {
    certs,
    http,
    https,
    deadPort,
    t,
    auth: t.egress.proxyAuthorizationFor(SERVER),
    async close() {
      await t.close();
      await Promise.all([http.close(), https.close()]);
    },
  };
}
