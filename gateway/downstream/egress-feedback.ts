// Merges the egress blocks that happened during a tool call into its result: `_meta["airlock/egress"]`, plus a text block when the tool failed.
import type { EgressBlock } from '../egress-correlation.ts';

/** The `_meta` key the blocks travel under. */
export const EGRESS_META_KEY = 'airlock/egress';

/** The parts of a tools/call result this touches; everything else passes through unchanged. */
export interface ToolResultLike {
  readonly content?: readonly unknown[];
  readonly isError?: boolean;
  readonly _meta?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** What the agent reads for one refused request of a failed call. */
export function blockedText(block: EgressBlock, server: string): string {
  const rule = `${block.flow ?? 'egress default'}/${block.processor ?? '-'}`;
  return (
    `Airlock egress blocked ${block.method} ${block.host}${block.path ?? ''} (flow ${rule}): ${block.reason}. ` +
    `Retrying will not help; the destination is not allowed for server ${server}.`
  );
}

const keyOf = (block: EgressBlock) =>
  `${block.decision}\0${block.method}\0${block.host}\0${block.port}\0${block.path ?? ''}\0${block.flow ?? ''}\0${block.processor ?? ''}`;

/** One text line per distinct refused destination: a client retrying in a loop does not make the agent read it ten times. */
function distinctDenied(blocks: readonly EgressBlock[]): EgressBlock[] {
  const seen = new Set<string>();
  const out: EgressBlock[] = [];
  for (const block of blocks) {
    if (block.decision !== 'deny' || block.ambiguous) continue;
    const key = keyOf(block);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(block);
  }
  return out;
}

/**
 * The result with the blocks merged in; the same object when there are none. `_meta` keeps whatever the
 * upstream put there (its own `airlock/egress` is overwritten: that key is the gateway's). The text block
 * is added only when the tool failed, and only for blocks that surely belong to this call (not ambiguous),
 * so an agent is never told its call was refused because of a request another call made.
 */
export function withEgressFeedback<T extends ToolResultLike>(
  result: T,
  blocks: readonly EgressBlock[],
  server: string,
): T {
  if (blocks.length === 0) return result;
  const meta = { ...(result._meta ?? {}), [EGRESS_META_KEY]: { blocked: blocks.map(metaOf) } };
  const texts =
    result.isError === true
      ? distinctDenied(blocks).map((block) => ({
          type: 'text' as const,
          text: blockedText(block, server),
        }))
      : [];
  const content = texts.length === 0 ? result.content : [...(result.content ?? []), ...texts];
  return { ...result, _meta: meta, ...(content === undefined ? {} : { content }) };
}

/** The wire shape of a block: `ambiguous` only when true, so the common case reads as the brief promises. */
function metaOf(block: EgressBlock): Record<string, unknown> {
  const { ambiguous, ...rest } = block;
  return ambiguous ? { ...rest, ambiguous } : rest;
}
