// Exposed names for tools and prompts: `server__tool`, at most 128 of [A-Za-z0-9_.-], unique, stable.
import type { NamingMode } from '../config/types.ts';
import { nameHash } from './stable-hash.ts';

export const MAX_NAME_LENGTH = 128;
export const SEPARATOR = '__';
/** Suffix lengths tried in turn; longer ones only if shorter ones still collide (practically never). */
const HASH_LENGTHS = [6, 12, 64] as const;

export interface NamedEntry {
  readonly server: string;
  readonly name: string;
}

export interface ExposedNames {
  /** nameKey(server, name) → exposed name. */
  readonly exposed: ReadonlyMap<string, string>;
  /** exposed name → the upstream entry it stands for. */
  readonly reverse: ReadonlyMap<string, NamedEntry>;
}

/** The key of an entry in `ExposedNames.exposed`. */
export function nameKey(server: string, name: string): string {
  return `${server}\0${name}`;
}

/** Every character outside [A-Za-z0-9_.-] (by code point) becomes `_`. */
export function sanitizeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/gu, '_');
}

/**
 * Names depend only on the set of entries, never on their order. `prefix`: always
 * `server__name`; `conditional`: the bare name unless another server has the same one; `none`:
 * bare names. Then any name that is too long, empty, or shared by several entries gets
 * `_<6 hex of sha256(server\0name)>`; every entry of a shared name gets one, so a name never
 * silently moves from one server to another when a server is added.
 */
export function exposeNames(entries: readonly NamedEntry[], mode: NamingMode): ExposedNames {
  const unique = dedupe(entries);
  const bares = unique.map((entry) => sanitizeName(entry.name));
  const bareOwners = new Map<string, Set<string>>();
  for (const [i, entry] of unique.entries()) {
    const bare = bares[i]!;
    const owners = bareOwners.get(bare) ?? new Set<string>();
    owners.add(entry.server);
    bareOwners.set(bare, owners);
  }
  const bases = unique.map((entry, i) => {
    const bare = bares[i]!;
    const prefixed =
      mode === 'prefix' || (mode === 'conditional' && (bareOwners.get(bare)?.size ?? 0) > 1);
    return prefixed ? `${sanitizeName(entry.server)}${SEPARATOR}${bare}` : bare;
  });
  const hashLength = new Array<number>(unique.length).fill(0);
  bases.forEach((base, i) => {
    if (base === '' || base.length > MAX_NAME_LENGTH) hashLength[i] = HASH_LENGTHS[0];
  });
  for (;;) {
    const names = unique.map((entry, i) => withSuffix(bases[i]!, entry, hashLength[i]!));
    const holders = new Map<string, number[]>();
    names.forEach((name, i) => {
      const list = holders.get(name);
      if (list) list.push(i);
      else holders.set(name, [i]);
    });
    let changed = false;
    for (const indexes of holders.values()) {
      if (indexes.length < 2) continue;
      for (const i of indexes) {
        const next = HASH_LENGTHS.find((length) => length > hashLength[i]!);
        if (next === undefined) continue;
        hashLength[i] = next;
        changed = true;
      }
    }
    if (!changed) return collect(unique, names);
  }
}

function withSuffix(base: string, entry: NamedEntry, hashLength: number): string {
  if (hashLength === 0) return base;
  const suffix = `_${nameHash(entry.server, entry.name, hashLength)}`;
  return `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}

function dedupe(entries: readonly NamedEntry[]): NamedEntry[] {
  const seen = new Map<string, NamedEntry>();
  for (const entry of entries) seen.set(nameKey(entry.server, entry.name), entry);
  return [...seen.values()];
}

function collect(entries: readonly NamedEntry[], names: readonly string[]): ExposedNames {
  const exposed = new Map<string, string>();
  const reverse = new Map<string, NamedEntry>();
  entries.forEach((entry, i) => {
    const name = names[i]!;
    exposed.set(nameKey(entry.server, entry.name), name);
    reverse.set(name, { server: entry.server, name: entry.name });
  });
  return { exposed, reverse };
}
