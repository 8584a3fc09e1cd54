// Merging egress blocks into a tools/call result: `_meta["airlock/egress"]`, and the text a failed call gets.
import { describe, expect, it } from 'vitest';
import type { EgressBlock } from '../egress-correlation.ts';
import {
  blockedText,
  EGRESS_META_KEY,
  type ToolResultLike,
  withEgressFeedback,
} from './egress-feedback.ts';

const block = (overrides: Partial<EgressBlock> = {}): EgressBlock => ({
  host: 'evil.example',
  port: 443,
  method: 'CONNECT',
  path: null,
  flow: 'alpha-only',
  processor: 'Deny',
  reason: 'host is not in the allowlist',
  time: 1_000,
  decision: 'deny',
  ambiguous: false,
  ...overrides,
});

const ok: ToolResultLike = { content: [{ type: 'text', text: 'done' }] };
const failed: ToolResultLike = { content: [{ type: 'text', text: 'fetch failed' }], isError: true };

/** The blocks a merged result carries in its _meta (none: empty). */
const blockedIn = (result: ToolResultLike): unknown[] =>
  (result._meta?.[EGRESS_META_KEY] as { blocked?: unknown[] } | undefined)?.blocked ?? [];

describe('withEgressFeedback', () => {
  it('returns the very same result when nothing was blocked', () => {
    expect(withEgressFeedback(failed, [], 'alpha')).toBe(failed);
  });

  it('puts the blocks in _meta and leaves the content of a successful call alone', () => {
    const merged = withEgressFeedback(ok, [block()], 'alpha');
    expect(merged.content).toBe(ok.content);
    expect(merged._meta).toEqual({
      [EGRESS_META_KEY]: {
        blocked: [
          {
            host: 'evil.example',
            port: 443,
            method: 'CONNECT',
            path: null,
            flow: 'alpha-only',
            processor: 'Deny',
            reason: 'host is not in the allowlist',
            time: 1_000,
            decision: 'deny',
          },
        ],
      },
    });
  });

  it("keeps the upstream's own _meta keys and replaces an upstream's airlock/egress", () => {
    const result = { ...ok, _meta: { progress: 1, [EGRESS_META_KEY]: 'forged' } };
    const merged = withEgressFeedback(result, [block()], 'alpha');
    expect(merged._meta?.progress).toBe(1);
    expect(merged._meta?.[EGRESS_META_KEY]).toEqual({ blocked: [expect.any(Object)] });
  });

  it('appends one text block per distinct refused destination when the call failed', () => {
    const merged = withEgressFeedback(
      failed,
      [
        block(),
        block({ time: 2_000 }),
        block({ host: 'other.example', method: 'GET', path: '/a' }),
      ],
      'alpha',
    );
    expect(merged.isError).toBe(true);
    expect(merged.content?.map((part) => (part as { text: string }).text)).toEqual([
      'fetch failed',
      'Airlock egress blocked CONNECT evil.example (flow alpha-only/Deny): host is not in the allowlist. Retrying will not help; the destination is not allowed for server alpha.',
      'Airlock egress blocked GET other.example/a (flow alpha-only/Deny): host is not in the allowlist. Retrying will not help; the destination is not allowed for server alpha.',
    ]);
    // Every request stays in _meta, repeats included.
    expect(blockedIn(merged)).toHaveLength(3);
  });

  it.each([
    ['an ambiguous block (it may be another call’s)', block({ ambiguous: true })],
    ['a report-mode block (the request went through)', block({ decision: 'report' })],
  ])('adds no text for %s, only _meta', (_what, only) => {
    const merged = withEgressFeedback(failed, [only], 'alpha');
    expect(merged.content).toBe(failed.content);
    expect(blockedIn(merged)).toHaveLength(1);
  });

  it('marks ambiguous blocks in _meta', () => {
    const merged = withEgressFeedback(ok, [block({ ambiguous: true })], 'alpha');
    expect(merged._meta?.[EGRESS_META_KEY]).toEqual({
      blocked: [expect.objectContaining({ ambiguous: true })],
    });
  });
});

describe('blockedText', () => {
  it.each([
    [
      'names the flow and processor and the path when visible',
      block({ method: 'POST', path: '/v1/upload' }),
      'Airlock egress blocked POST evil.example/v1/upload (flow alpha-only/Deny): host is not in the allowlist. Retrying will not help; the destination is not allowed for server alpha.',
    ],
    [
      'says "egress default" when no flow decided',
      block({ flow: null, processor: null, reason: 'no flow matched; egress default is deny' }),
      'Airlock egress blocked CONNECT evil.example (flow egress default/-): no flow matched; egress default is deny. Retrying will not help; the destination is not allowed for server alpha.',
    ],
  ])('%s', (_what, input, expected) => {
    expect(blockedText(input, 'alpha')).toBe(expected);
  });
});
