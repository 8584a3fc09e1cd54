// The egress's annotate hook: every record passes through it before the store and the observers, and a throwing annotator loses nothing.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EgressRecord } from '../egress/egress-record.ts';
import { type Egress, startEgress } from '../egress/egress-service.ts';
import { appYaml, waitUntil } from './support/egress-harness.ts';
import { proxyRequest } from './support/proxy-clients.ts';

interface Started {
  readonly egress: Egress;
  readonly stored: EgressRecord[];
  readonly observed: EgressRecord[];
  readonly root: string;
}

async function start(annotate: (record: EgressRecord) => EgressRecord): Promise<Started> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-annotate-'));
  const configDir = join(root, 'config');
  await mkdir(join(configDir, 'flows'), { recursive: true });
  // No flows: every request gets the default deny, nothing is ever dialed.
  await writeFile(join(configDir, 'app.yaml'), appYaml({}));
  const stored: EgressRecord[] = [];
  const observed: EgressRecord[] = [];
  const egress = await startEgress({
    configDir,
    dataDir: join(root, 'data'),
    listen: '127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    sink: (record) => stored.push(record),
    onRecord: (record) => observed.push(record),
    annotate,
    lookup: async (host) => {
      throw Object.assign(new Error(`test lookup refused for ${host}`), { code: 'ENOTFOUND' });
    },
    watch: false,
  });
  return { egress, stored, observed, root };
}

async function requestAs(started: Started, server: string): Promise<number> {
  const response = await proxyRequest(
    { port: started.egress.address.port },
    'GET',
    'http://blocked.test/upload',
    { headers: { 'proxy-authorization': started.egress.proxyAuthorizationFor(server) } },
  );
  await waitUntil(() => started.stored.length > 0, 'a stored record');
  return response.status;
}

describe('egress annotate hook', () => {
  let started: Started | undefined;
  afterEach(async () => {
    await started?.egress.close();
    if (started) await rm(started.root, { recursive: true, force: true });
    started = undefined;
  });

  it('stores and shows observers the record as the annotator returned it', async () => {
    const seen: EgressRecord[] = [];
    started = await start((record) => {
      seen.push(record);
      return { ...record, toolCall: 'call-1' };
    });
    expect(await requestAs(started, 'alpha')).toBe(403);
    expect(seen).toEqual([expect.objectContaining({ server: 'alpha', toolCall: null })]);
    expect(started.stored).toEqual([
      expect.objectContaining({ server: 'alpha', decision: 'deny', toolCall: 'call-1' }),
    ]);
    expect(started.observed).toEqual([expect.objectContaining({ toolCall: 'call-1' })]);
  });

  it('stores the record unannotated when the annotator throws, and keeps answering', async () => {
    started = await start(() => {
      throw new Error('annotator broke');
    });
    expect(await requestAs(started, 'alpha')).toBe(403);
    expect(started.stored).toEqual([
      expect.objectContaining({ server: 'alpha', decision: 'deny', toolCall: null }),
    ]);
    expect(started.observed).toHaveLength(1);
  });
});
