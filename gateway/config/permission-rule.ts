// MCPX permission rules as written (`_type`, `allow`, `block`; or the older `base` + `profiles`) → a PermissionRule.
import { z } from 'zod';
import type { PermissionRule } from './types.ts';

const groupList = z.array(z.string().min(1), { error: 'must be a list of tool group names' });

/** The rule as written; meaning is decided by `toPermissionRule`, which can say which field is at fault. */
export const writtenRuleSchema = z.strictObject({
  _type: z.enum(['default-allow', 'default-block']).optional(),
  allow: groupList.optional(),
  block: groupList.optional(),
  /** Older MCPX releases: `base: allow|block` with `profiles: {allow, block}`. */
  base: z.enum(['allow', 'block']).optional(),
  profiles: z.strictObject({ allow: groupList.optional(), block: groupList.optional() }).optional(),
});

export type WrittenRule = z.output<typeof writtenRuleSchema>;

export type RuleResult =
  | { readonly ok: true; readonly rule: PermissionRule }
  | {
      readonly ok: false;
      /** Where inside the rule the problem is; empty for the rule itself. */
      readonly path: readonly string[];
      readonly message: string;
    };

/**
 * `_type` given: the list it implies (the other list may only be absent or empty).
 * `_type` absent: `block` alone → default-allow, `allow` alone → default-block; both or neither → error.
 * `base: allow|block` reads like `_type: default-allow|default-block` with the lists under `profiles`.
 */
export function toPermissionRule(written: WrittenRule): RuleResult {
  const { base, profiles, ...current } = written;
  if (base === undefined && profiles === undefined) return fromCurrentForm(current, []);
  if (base === undefined) {
    return {
      ok: false,
      path: ['base'],
      message: '"profiles" needs "base: allow" or "base: block"',
    };
  }
  if (current._type !== undefined || current.allow !== undefined || current.block !== undefined) {
    const message = 'mixes "base"/"profiles" with "_type"/"allow"/"block"; use one form';
    return { ok: false, path: ['base'], message };
  }
  const type = base === 'allow' ? 'default-allow' : 'default-block';
  return fromCurrentForm({ _type: type, ...profiles }, ['profiles']);
}

function fromCurrentForm(
  written: Pick<WrittenRule, '_type' | 'allow' | 'block'>,
  at: readonly string[],
): RuleResult {
  const { _type: type, allow, block } = written;
  const fail = (field: string, message: string): RuleResult => ({
    ok: false,
    path: field === '' ? at : [...at, field],
    message,
  });
  if (type === 'default-allow') {
    if (allow !== undefined && allow.length > 0) {
      return fail('allow', 'default-allow takes a "block" list, not "allow"');
    }
    return { ok: true, rule: { type, block: block ?? [] } };
  }
  if (type === 'default-block') {
    if (block !== undefined && block.length > 0) {
      return fail('block', 'default-block takes an "allow" list, not "block"');
    }
    return { ok: true, rule: { type, allow: allow ?? [] } };
  }
  if (allow !== undefined && block !== undefined) {
    return fail(
      'allow',
      'give either "allow" (default-block) or "block" (default-allow), or set "_type"',
    );
  }
  if (block !== undefined) return { ok: true, rule: { type: 'default-allow', block } };
  if (allow !== undefined) return { ok: true, rule: { type: 'default-block', allow } };
  return fail('', 'needs "_type", "allow: [group…]" or "block: [group…]"');
}

/** The groups a rule names, with the list they are written in, for checking each one exists. */
export function groupsOf(rule: PermissionRule): readonly string[] {
  return rule.type === 'default-allow' ? rule.block : rule.allow;
}
