// Headless Debian Chromium driven by playwright-core for the dashboard tests: launch with a fresh profile, close and clean up.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's `chromium` package; playwright-core never downloads a browser of its own here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Nothing but the page under test talks to the network: no sync, updates, QUIC or first-run calls home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-gpu',
  '--disable-quic',
] as const;

export const VIEWPORT = { width: 1280, height: 800 } as const;

export interface TestBrowser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Whether the browser tests can run; CI must have it (the tests refuse to skip there). */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Launches headless Chromium with a temp user data dir (a persistent context is how playwright takes one). */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'airlock-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: VIEWPORT,
      acceptDownloads: true,
      timeout: 20_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
