// The dashboard in a real browser: headless Chromium against a running `airlock up` with traffic the test makes.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './support/browser.ts';
import {
  ALLOWED_HOST,
  BLOCKED_HOST,
  type DashboardScene,
  DENY_PROCESSOR,
  FLOW,
  OUTBOUND_SERVER,
  QUIET_SERVER,
  startDashboardScene,
} from './support/dashboard-scene.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'test-results', 'screenshots');
const UI_TIMEOUT = 8_000;

// CI installs chromium, so there a missing browser is a failure; elsewhere one loud line and a skip.
const runnable = chromiumAvailable() || Boolean(process.env.CI);
if (!runnable) {
  console.warn(
    'SKIPPING dashboard browser tests: /usr/bin/chromium is absent (apt-get install chromium)',
  );
}

describe.skipIf(!runnable)('the dashboard in a browser', () => {
  let scene: DashboardScene;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    // One after the other: if the scene fails to start, no browser is left running unowned.
    scene = await startDashboardScene();
    browser = await launchBrowser();
    await mkdir(SCREENSHOTS, { recursive: true });
    // Traffic before the first page load: alpha reaches the allowed provider, beta is blocked.
    expect(await scene.allowedEgress('agent-alpha')).toBe(200);
    expect(await scene.blockedEgress('agent-beta')).toBe(451);
    await scene.echo('agent-alpha', 'hello from alpha');
    await scene.echo('agent-beta', 'hello from beta');
    await untilBlockedStored(scene, '/exfiltrate');
    page = await browser.newPage();
  }, 50_000);

  afterAll(async () => {
    await browser?.close();
    await scene?.close();
  });

  /** Opens a page by its hash route and waits until the feed is live, so later events reach it. */
  async function open(route: string): Promise<Locator> {
    await page.goto(`${scene.dashboardUrl}/#/${route}`);
    const main = page.getByTestId('page');
    await expect.poll(() => main.getAttribute('data-page'), { timeout: UI_TIMEOUT }).toBe(route);
    await expect
      .poll(() => page.getByTestId('live-status').getAttribute('data-state'), {
        timeout: UI_TIMEOUT,
      })
      .toBe('live');
    return main;
  }

  async function shows(area: Locator, ...texts: string[]): Promise<void> {
    for (const text of texts) {
      await area.getByText(text, { exact: false }).first().waitFor({ timeout: UI_TIMEOUT });
    }
  }

  const screenshot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

  it('overview counts both servers up and lists the newest block', async () => {
    const main = await open('overview');
    await shows(main.getByTestId('overview-blocks-row'), OUTBOUND_SERVER, BLOCKED_HOST, FLOW);
    const servers = main.getByTestId('overview-servers');
    await expect.poll(() => servers.innerText(), { timeout: UI_TIMEOUT }).toBe('2 / 2');
    const agents = main.getByTestId('overview-agents');
    await expect.poll(() => agents.innerText(), { timeout: UI_TIMEOUT }).toBe('2');
    await screenshot('overview');
  });

  it('servers page shows each sandboxed server with the flow that applies to it', async () => {
    const main = await open('servers');
    const rows = main.getByTestId('servers-table-row');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(2);
    const relay = rows.filter({ hasText: OUTBOUND_SERVER });
    await shows(relay, 'ready', 'bwrap', FLOW);
    await shows(rows.filter({ hasText: QUIET_SERVER }), 'ready', 'bwrap');
    await screenshot('servers');
  });

  it('agents page lists the live session of each consumer', async () => {
    const main = await open('agents');
    const consumers = main.getByTestId('agent-consumer');
    await expect
      .poll(async () => (await consumers.allInnerTexts()).sort(), { timeout: UI_TIMEOUT })
      .toEqual(['agent-alpha', 'agent-beta']);
    await shows(main, 'agent-alpha-client', 'agent-beta-client');
    await screenshot('agents');
  });

  it('tool calls page filters by agent and opens the audit record with hash and verified flag', async () => {
    const main = await open('calls');
    await shows(main, `${OUTBOUND_SERVER}__relay_request`, `${QUIET_SERVER}__echo`, 'agent-alpha');
    await screenshot('calls');
    await filterBy(main, 'calls-filter-agent', 'agent-beta');
    const rows = main.getByTestId('calls-table-row');
    await expect
      .poll(async () => (await rows.allInnerTexts()).every((row) => row.includes('agent-beta')), {
        timeout: UI_TIMEOUT,
      })
      .toBe(true);
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    // The block is counted on beta's relay call only, never on its echo.
    await shows(rows.filter({ hasText: 'relay_request' }), '1 blocked');
    expect(await rows.filter({ hasText: 'echo' }).filter({ hasText: 'blocked' }).count()).toBe(0);
    await rows.filter({ hasText: 'relay_request' }).first().click();
    const record = page.getByTestId('call-detail');
    await record.waitFor({ timeout: UI_TIMEOUT });
    await expect
      .poll(() => record.innerText(), { timeout: UI_TIMEOUT })
      .toMatch(/Hash\s+[0-9a-f]{32,}/);
    await expect
      .poll(() => page.getByTestId('call-verified').innerText(), { timeout: UI_TIMEOUT })
      .toBe('hash verified');
    await shows(record, 'agent-beta', `${OUTBOUND_SERVER}__relay_request`, BLOCKED_HOST, FLOW);
    await screenshot('call-record');
  });

  it('a tool call made after the page loaded appears without reload', async () => {
    const main = await open('calls');
    const rows = main.getByTestId('calls-table-row');
    await shows(main, `${QUIET_SERVER}__echo`);
    const before = await rows.count();
    await markDocument();
    await scene.agent('agent-beta').callTool({ name: `${QUIET_SERVER}__pid`, arguments: {} });
    await shows(main, `${QUIET_SERVER}__pid`);
    expect(await rows.count()).toBeGreaterThan(before);
    expect(await documentMarked()).toBe(true);
  });

  it('outbound page shows each provider of the server flagged new, with endpoints to drill into', async () => {
    const main = await open('outbound');
    await shows(main, 'slack.com', 'badactor.com');
    const rows = main.getByTestId('outbound-table-row');
    const slack = rows.filter({ hasText: 'slack.com' }).filter({ hasNotText: 'badactor' });
    await shows(slack, OUTBOUND_SERVER);
    await slack.getByTestId('provider-new').waitFor({ timeout: UI_TIMEOUT });
    await rows.filter({ hasText: 'badactor.com' }).getByTestId('provider-new').waitFor();
    await slack.click();
    const drill = main.getByTestId('outbound-drilldown');
    await shows(drill.getByTestId('outbound-endpoints-row'), 'GET', ALLOWED_HOST, '/v1/chat');
    await shows(drill.getByTestId('outbound-records-row'), ALLOWED_HOST);
    await screenshot('outbound');
  });

  it('blocked page shows the block with its flow and processor, live, filtered by server', async () => {
    const main = await open('blocked');
    const blocked = main.getByTestId('blocked-table-row').filter({ hasText: '/exfiltrate' });
    await shows(blocked, OUTBOUND_SERVER, 'GET', BLOCKED_HOST, FLOW, DENY_PROCESSOR);
    await screenshot('blocked');
    await markDocument();
    expect(await scene.blockedEgress('agent-alpha', '/live-block')).toBe(451);
    await shows(main, '/live-block');
    expect(await documentMarked()).toBe(true);
    await shows(blocked.getByTestId('blocked-flow'), `${FLOW}/${DENY_PROCESSOR}`);
    // The block names the tool call it happened during: beta's relay_request, never alpha's.
    const callId = await relayCallOf('agent-beta');
    const toolCall = blocked.getByTestId('blocked-tool-call');
    await expect.poll(() => toolCall.getAttribute('title'), { timeout: UI_TIMEOUT }).toBe(callId);
    expect(callId.startsWith(await toolCall.innerText())).toBe(true);
    await filterBy(main, 'blocked-filter-server', QUIET_SERVER);
    await expect
      .poll(() => main.getByTestId('blocked-table-row').count(), { timeout: UI_TIMEOUT })
      .toBe(0);
    await filterBy(main, 'blocked-filter-server', OUTBOUND_SERVER);
    await shows(main, '/exfiltrate', '/live-block');
  });

  it('blocked export links serve the same CSV and JSON as `airlock report blocked`', async () => {
    const main = await open('blocked');
    await shows(main, '/exfiltrate');
    const csv = await downloaded(main.getByTestId('blocked-export-csv'));
    const json = await exported(main.getByTestId('blocked-export-json'));
    expect(csv).toBe(await scene.reportBlocked('csv'));
    expect(JSON.parse(json)).toEqual(JSON.parse(await scene.reportBlocked('json')));
    expect(csv).toContain(`${FLOW}/${DENY_PROCESSOR}`);
  });

  it('config page lists the loaded files and the last reload', async () => {
    const main = await open('config');
    await shows(main, 'mcp.json', 'app.yaml', `${FLOW}.yaml`);
    await screenshot('config');
  });

  /** Fetches what an export link points at, with the page's own origin (as a download would). */
  async function exported(link: Locator): Promise<string> {
    const href = await link.getAttribute('href');
    expect(href).toBeTruthy();
    const response = await page.request.get(new URL(href as string, page.url()).toString());
    expect(response.status()).toBe(200);
    return response.text();
  }

  /** A mark on the loaded document: still there later means the page was never reloaded. */
  // Strings, not functions: these run in the page, and the project's TypeScript has no DOM types.
  const markDocument = () =>
    page.evaluate("document.documentElement.dataset.testMark = 'loaded-once'");
  const documentMarked = () =>
    page.evaluate("document.documentElement.dataset.testMark === 'loaded-once'");

  /** The call id of the agent's first `relay__relay_request`, from the API the page uses. */
  async function relayCallOf(agent: string): Promise<string> {
    const url = new URL('/api/calls', scene.dashboardUrl);
    url.searchParams.set('agent', agent);
    const body = (await (await page.request.get(url.toString())).json()) as {
      calls: { callId: string; exposedName: string; time: number }[];
    };
    const relay = body.calls
      .filter((call) => call.exposedName === `${OUTBOUND_SERVER}__relay_request`)
      .sort((a, b) => a.time - b.time)[0];
    expect(relay).toBeDefined();
    return relay?.callId ?? '';
  }

  /** Clicks an export link and reads the file the browser saved. */
  async function downloaded(link: Locator): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    return readFile(await download.path(), 'utf8');
  }

  /** Sets a page filter (a select or a text input) by its test id. */
  async function filterBy(main: Locator, testid: string, value: string): Promise<void> {
    const control = main.getByTestId(testid);
    const tag = await control.evaluate((element) => element.tagName);
    if (tag === 'SELECT') await control.selectOption(value);
    else {
      await control.fill(value);
      await control.press('Enter');
    }
  }
});

/** Waits until the blocked request is in the telemetry store the dashboard reads. */
async function untilBlockedStored(scene: DashboardScene, path: string): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (!(await scene.reportBlocked('csv')).includes(path)) {
    if (Date.now() > deadline) throw new Error(`the block of ${path} never reached the store`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
