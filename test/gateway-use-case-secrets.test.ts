// The article's secret-management use case end to end: fromSecret (secrets.env, Vault KV v2) and fromEnv reach the servers, never logs or the audit log.
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from './fixtures/log-capture.ts';
import { answer, auditRows, teamServer } from './fixtures/use-cases/team-harness.ts';
import { startVaultKv, type VaultKv } from './fixtures/use-cases/vault-kv.ts';
import { startTestGateway, type TestGateway } from './support/gateway-harness.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'airlock-secrets-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('centralized secrets: tokens from secrets.env, Vault and the environment reach only the servers', () => {
  const SLACK_TOKEN = 'xoxb-4213-9876543210-Zq8RkT2vNw5YbL3sHd6F';
  const GITHUB_TOKEN = 'ghp_R7tK2mQ9vX4wL8nB3cZ6yH1sD5fJ0gA2pE7u';
  const DATABASE_URL = 'postgres://app:Wq4Lr8Tz2Nv6Kp@db.internal:5432/prod';
  const VAULT_TOKEN = 'hvs.CAESIJ7xq2LmR9vT4wK8nB3cZ6yH1sD5fJ0g';
  const secrets = [SLACK_TOKEN, GITHUB_TOKEN, DATABASE_URL, VAULT_TOKEN];
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const log = captureLog();
  let gw: TestGateway;
  let vault: VaultKv;
  let calls: string;
  let agent: Client;

  beforeAll(async () => {
    log.logger.level = 'trace';
    calls = await mkdtemp(join(scratch, 'secrets-'));
    vault = await startVaultKv(VAULT_TOKEN, { 'secret/airlock': { GITHUB_TOKEN } });
    gw = await startTestGateway({
      servers: {},
      options: {
        watch: false,
        logger: log.logger,
        env: {
          PATH: process.env.PATH,
          DATABASE_URL,
          AIRLOCK_VAULT_ADDR: vault.addr,
          AIRLOCK_VAULT_TOKEN: VAULT_TOKEN,
        },
      },
    });
    // The operator's steps: the token into secrets.env (readable by the owner only), the servers into mcp.json.
    const secretsFile = join(gw.configDir, 'secrets.env');
    await writeFile(secretsFile, `# team tokens\nSLACK_BOT_TOKEN=${SLACK_TOKEN}\n`);
    await chmod(secretsFile, 0o600);
    await gw.writeMcp({
      slack: teamServer('slack', calls, { SLACK_BOT_TOKEN: { fromSecret: 'SLACK_BOT_TOKEN' } }),
      github: teamServer('github', calls, { GITHUB_TOKEN: { fromSecret: 'GITHUB_TOKEN' } }),
      postgres: teamServer('postgres', calls, { DATABASE_URL: { fromEnv: 'DATABASE_URL' } }),
      broken: teamServer('slack', calls, { SLACK_BOT_TOKEN: { fromSecret: 'NOT_ANYWHERE' } }),
    });
    expect((await gw.gateway.reload()).result).toBe('success');
    agent = await gw.connect();
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
    await vault?.close();
  });

  it.each([
    ['slack', 'SLACK_BOT_TOKEN', SLACK_TOKEN],
    ['github', 'GITHUB_TOKEN', GITHUB_TOKEN],
    ['postgres', 'DATABASE_URL', DATABASE_URL],
  ])('hands %s its %s (the server reports only its hash)', async (server, variable, value) => {
    const result = await agent.callTool({ name: `${server}__secret_status`, arguments: {} });
    expect(answer(result)).toEqual({ variable, set: true, sha256: sha256(value) });
  });

  it('asked Vault with its token', () => {
    expect(vault.reads()).toBeGreaterThanOrEqual(1);
  });

  it('does not start a server whose secret is nowhere, and says which secret without any value', () => {
    const broken = gw.gateway.upstreams().find((upstream) => upstream.name === 'broken');
    expect(broken?.phase).not.toBe('ready');
    expect(broken?.lastError).toContain('NOT_ANYWHERE');
  });

  it('keeps every secret value out of the logs, the audit log, the API and what agents see', async () => {
    // An agent that pastes a token into its arguments: the audit log redacts it too.
    await agent.callTool({
      name: 'slack__post_message',
      arguments: { channel_id: 'C001', text: `my token is ${SLACK_TOKEN}` },
    });
    await expect(
      agent.callTool({ name: 'postgres__query', arguments: { sql: 'select unreachable' } }),
    ).rejects.toThrow();
    const seen = [
      log.text(),
      JSON.stringify(gw.gateway.upstreams()),
      JSON.stringify(gw.gateway.config()),
      JSON.stringify(await agent.listTools()),
      await readFile(join(gw.configDir, 'mcp.json'), 'utf8'),
    ];
    for (const file of await readdir(gw.dataDir)) {
      seen.push((await readFile(join(gw.dataDir, file))).toString('latin1'));
    }
    // The places looked at are not empty: the search below could find a leak there.
    expect(log.lines.length).toBeGreaterThan(3);
    expect(auditRows(gw.dataDir).length).toBeGreaterThanOrEqual(5);
    for (const text of seen) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
