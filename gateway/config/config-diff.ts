// Which servers a config change adds, removes or alters, so a reload restarts only those.
import { isDeepStrictEqual } from 'node:util';
import type { ServerSpec } from './types.ts';

export interface ServerDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Present before and after with a different spec (a toggled `disabled` counts). */
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
}

/** Pure; names come out sorted so callers and tests see a stable order. */
export function diffServers(
  before: Readonly<Record<string, ServerSpec>>,
  after: Readonly<Record<string, ServerSpec>>,
): ServerDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const name of Object.keys(after).sort()) {
    const previous = before[name];
    if (previous === undefined) added.push(name);
    else if (isDeepStrictEqual(previous, after[name])) unchanged.push(name);
    else changed.push(name);
  }
  for (const name of Object.keys(before).sort()) {
    if (!Object.hasOwn(after, name)) removed.push(name);
  }
  return { added, removed, changed, unchanged };
}
