// The bench's flags: a quick smoke run is short, the full run moves at least 256 MiB per tunnel.
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-options.ts';

describe('parseBenchArgs', () => {
  it('runs the full sizes by default', () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({ quick: false, json: false, profile: false });
    if ('error' in options) throw new Error(options.error);
    expect(options.bulk.bytes).toBeGreaterThanOrEqual(256 * 1024 ** 2);
    expect(options.decision.patterns).toBe(1000);
    expect(options.load).toEqual({ connections: 50, seconds: 12, warmupSeconds: 3, rounds: 2 });
  });

  it('shortens every phase with --quick and keeps the flags it was given', () => {
    const options = parseBenchArgs(['--quick', '--json', '--profile']);
    if ('error' in options) throw new Error(options.error);
    expect(options).toMatchObject({ quick: true, json: true, profile: true });
    expect(options.load.seconds).toBeLessThanOrEqual(2);
    expect(options.setups.seconds).toBeLessThanOrEqual(1);
  });

  it('refuses an unknown flag', () => {
    expect(parseBenchArgs(['--fast'])).toEqual({ error: "unknown argument '--fast'" });
  });
});
