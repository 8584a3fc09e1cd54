// Loading mcp.json and app.yaml together from a config directory, and watching it for good and bad changes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultGatewaySettings } from './app-config.ts';
import { type GatewayConfigResult, loadGatewayConfig } from './load-config.ts';
import { watchGatewayConfig } from './watch-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-gw-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const server = (command: string) => JSON.stringify({ mcpServers: { a: { command } } });

describe('loadGatewayConfig', () => {
  it('gives no servers and default settings for an empty directory', async () => {
    const result = await loadGatewayConfig(dir);
    expect(result).toMatchObject({
      ok: true,
      config: { servers: {}, settings: defaultGatewaySettings() },
      warnings: [],
    });
  });

  it('reads both files and warns about settings naming servers mcp.json lacks', async () => {
    await writeFile(join(dir, 'mcp.json'), server('node'));
    await writeFile(join(dir, 'app.yaml'), 'disabledTools:\n  a: [x]\n  ghost: "*"\n');
    const result = await loadGatewayConfig(dir);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.config.servers)).toEqual(['a']);
    expect(result.config.settings.disabledTools).toEqual({ a: ['x'], ghost: '*' });
    expect(result.warnings.map((w) => w.message)).toEqual([
      `${join(dir, 'app.yaml')}:3:10: disabledTools.ghost: no server named "ghost" in mcp.json`,
    ]);
  });

  it('reports the errors of both files at once, each with its own file', async () => {
    await writeFile(join(dir, 'mcp.json'), '{"mcpServers": {"a": {}}}');
    await writeFile(join(dir, 'app.yaml'), 'naming: short\n');
    const result = await loadGatewayConfig(dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.file, e.field])).toEqual([
      [join(dir, 'mcp.json'), 'mcpServers.a'],
      [join(dir, 'app.yaml'), 'naming'],
    ]);
  });
});

describe('watchGatewayConfig', () => {
  /** Collects results; `next()` resolves with the next one (or fails after a few seconds). */
  function recorder() {
    const results: GatewayConfigResult[] = [];
    const waiting: ((result: GatewayConfigResult) => void)[] = [];
    return {
      results,
      onChange(result: GatewayConfigResult) {
        results.push(result);
        waiting.shift()?.(result);
      },
      next(): Promise<GatewayConfigResult> {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no change reported')), 5_000);
          waiting.push((result) => {
            clearTimeout(timer);
            resolve(result);
          });
        });
      },
    };
  }

  it('reports a good change, then a bad one, then the fix; the same content only once', async () => {
    await writeFile(join(dir, 'mcp.json'), server('node'));
    const initial = await loadGatewayConfig(dir);
    const seen = recorder();
    const watcher = watchGatewayConfig(dir, seen.onChange, {
      debounceMs: 20,
      pollMs: 60_000,
      initialFingerprint: initial.fingerprint,
    });
    try {
      await watcher.check();
      expect(seen.results).toEqual([]);

      // Picked up by fs.watch alone (the poll is a minute away).
      const good = seen.next();
      await writeFile(join(dir, 'mcp.json'), server('deno'));
      const swapped = await good;
      expect(swapped.ok && swapped.config.servers.a).toMatchObject({ command: 'deno' });

      const bad = seen.next();
      await writeFile(join(dir, 'app.yaml'), 'naming: short\n');
      const refused = await bad;
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.errors[0]).toMatchObject({ field: 'naming', line: 1 });

      // Re-reading unchanged bad content reports nothing new.
      const count = seen.results.length;
      await watcher.check();
      expect(seen.results).toHaveLength(count);

      await writeFile(join(dir, 'app.yaml'), 'naming: none\n');
      await watcher.check();
      const fixed = seen.results.at(-1);
      expect(fixed?.ok && fixed.config.settings.naming).toBe('none');
    } finally {
      watcher.close();
    }
  });

  it('takes the content at start as the baseline when no fingerprint is given', async () => {
    await writeFile(join(dir, 'app.yaml'), 'naming: none\n');
    const seen = recorder();
    const watcher = watchGatewayConfig(dir, seen.onChange, { debounceMs: 20, pollMs: 60_000 });
    try {
      await watcher.check();
      expect(seen.results).toEqual([]);
      await writeFile(join(dir, 'app.yaml'), 'naming: prefix\n');
      await watcher.check();
      expect(seen.results).toHaveLength(1);
    } finally {
      watcher.close();
    }
  });

  it('notices a config directory created after the watch started, by polling', async () => {
    const later = join(dir, 'later');
    const seen = recorder();
    const watcher = watchGatewayConfig(later, seen.onChange, {
      debounceMs: 20,
      pollMs: 50,
      initialFingerprint: (await loadGatewayConfig(later)).fingerprint,
    });
    try {
      const change = seen.next();
      const { mkdir } = await import('node:fs/promises');
      await mkdir(later);
      await writeFile(join(later, 'mcp.json'), server('node'));
      const result = await change;
      expect(result.ok && Object.keys(result.config.servers)).toEqual(['a']);
    } finally {
      watcher.close();
    }
  });
});
