// The bypass suite's world: counting origins on 127.0.0.1/127.0.0.2, an egress started from a temp config, captured records.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { EgressRecord } from '../../egress/egress-record.ts';
import { type Egress, startEgress } from '../../egress/egress-service.ts';
import { type CountingOrigin, startCountingOrigin } from './bypass-origin.ts';
import { createTestCertificates } from './test-ca.ts';

export const SERVER = 'bypass';
/** The short-form flow's GenerateResponse, as its blocked-by header names it. */
export const FLOW_DENY = 'GenerateResponseForbidden';

export interface BypassEnv {
  /** 127.0.0.1:port, the only loopback address egress.allowAddresses lists. */
  readonly allowed: CountingOrigin;
  /** 127.0.0.2:same port, outside egress.allowAddresses: it must never see a connection. */
  readonly denied: CountingOrigin;
  /** HTTPS twins: 127.0.0.1:tlsPort (allowed) and 127.0.0.2:tlsPort (outside allowAddresses). */
  readonly tlsAllowed: CountingOrigin;
  readonly tlsDenied: CountingOrigin;
  /** PEM of the test CA that signed the TLS origins' certificate. */
  readonly ca: string;
  readonly egress: Egress;
  readonly proxyPort: number;
  /** `Proxy-Authorization: …\r\n` for the suite's server. */
  readonly auth: string;
  readonly records: EgressRecord[];
  close(): Promise<void>;
}

/**
 * Every name a bypass would need is mapped (egress.hosts) to a counting origin, so a request that
 * slipped past the flows would show up as a hit instead of failing to resolve.
 */
function appYaml(): string {
  const toAllowed = [
    'api.slack.com',
    'files.example.com',
    'self.example.com',
    'evil.example',
    'slack.com',
    'x.api.slack.com',
    'evilapi.slack.com',
    'api.slack.com.evil.example',
    'xn--pi-7lc.slack.com',
    'xn--bcher-kva.example',
    'localhost',
    'secure.example.com',
  ];
  return [
    'egress:',
    '  mode: enforce',
    '  default: deny',
    '  allowAddresses: ["127.0.0.1"]',
    '  hosts:',
    ...toAllowed.map((name) => `    ${name}: 127.0.0.1`),
    '    mapped.example.com: 127.0.0.2',
    '    secure-mapped.example.com: 127.0.0.2',
    '    mixed.example.com: ["127.0.0.2", "::ffff:127.0.0.1", "127.0.0.1"]',
    '',
  ].join('\n');
}

/** The article's short form, with the ports the origins and the proxy actually bound. */
function flowYaml(originPort: number, proxyPort: number, tlsPort: number): string {
  const urls = [
    `secure.example.com:${tlsPort}/*`,
    `secure-mapped.example.com:${tlsPort}/*`,
    `api.slack.com:${originPort}/*`,
    `files.example.com:${originPort}/public/*`,
    `mapped.example.com:${originPort}/*`,
    `mixed.example.com:${originPort}/*`,
    `self.example.com:${proxyPort}/*`,
    `xn--bcher-kva.example:${originPort}/*`,
  ];
  return [
    'AllowFilter:',
    '  processor: Filter',
    '  parameters:',
    '    - key: urls',
    '      value:',
    ...urls.map((url) => `        - "${url}"`),
    `${FLOW_DENY}:`,
    '  processor: GenerateResponse',
    '  parameters:',
    '    - key: status',
    '      value: 403',
    '    - key: body',
    '      value: "Forbidden Access"',
    '    - key: Content-Type',
    '      value: text/plain',
    '',
  ].join('\n');
}

export async function startBypassEnv(): Promise<BypassEnv> {
  const allowed = await startCountingOrigin('127.0.0.1');
  const denied = await startCountingOrigin('127.0.0.2', allowed.port);
  const certificates = createTestCertificates(['secure.example.com', 'secure-mapped.example.com']);
  const tlsAllowed = await startCountingOrigin('127.0.0.1', 0, certificates);
  const tlsDenied = await startCountingOrigin('127.0.0.2', tlsAllowed.port, certificates);
  const root = mkdtempSync(join(tmpdir(), 'airlock-bypass-'));
  const configDir = join(root, 'config');
  mkdirSync(join(configDir, 'flows'), { recursive: true });
  writeFileSync(join(configDir, 'app.yaml'), appYaml());
  writeFileSync(
    join(configDir, 'flows', 'allowlist.yaml'),
    flowYaml(allowed.port, 1, tlsAllowed.port),
  );
  const records: EgressRecord[] = [];
  const egress = await startEgress({
    configDir,
    dataDir: join(root, 'data'),
    listen: '127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    sink: (record) => records.push(record),
    watch: false,
    upstreamCa: certificates.ca,
  });
  // The proxy's own port is known only now: rewrite the flow so it allows that port by name.
  writeFileSync(
    join(configDir, 'flows', 'allowlist.yaml'),
    flowYaml(allowed.port, egress.address.port, tlsAllowed.port),
  );
  const reloaded = await egress.reload();
  if (reloaded.result !== 'success') throw new Error(`reload failed: ${JSON.stringify(reloaded)}`);
  return {
    allowed,
    denied,
    tlsAllowed,
    tlsDenied,
    ca: certificates.ca,
    egress,
    proxyPort: egress.address.port,
    auth: `Proxy-Authorization: ${egress.proxyAuthorizationFor(SERVER)}\r\n`,
    records,
    async close() {
      await egress.close();
      await Promise.all([allowed, denied, tlsAllowed, tlsDenied].map((origin) => origin.close()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
