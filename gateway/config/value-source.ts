// The schema of env and header values in mcp.json: "literal", {"fromEnv": NAME} or {"fromSecret": NAME}.
import { z } from 'zod';
import type { ValueSource } from './types.ts';

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)',
  );
const secretName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,127}$/, 'must be a secret name ([A-Za-z0-9_.-/])');

/** Numbers and booleans are accepted as their text, as a Claude Desktop config may write `"PORT": 3000`. */
export const valueSourceSchema = z.union(
  [
    z.string().transform((value): ValueSource => ({ kind: 'literal', value })),
    z
      .union([z.number(), z.boolean()])
      .transform((value): ValueSource => ({ kind: 'literal', value: String(value) })),
    z
      .strictObject({ fromEnv: envName })
      .transform(({ fromEnv }): ValueSource => ({ kind: 'env', name: fromEnv })),
    z
      .strictObject({ fromSecret: secretName })
      .transform(({ fromSecret }): ValueSource => ({ kind: 'secret', name: fromSecret })),
  ],
  { error: 'must be a string, {"fromEnv": "NAME"} or {"fromSecret": "NAME"}' },
);

/** `${VAR}` is expanded by Claude Code but not by Airlock: worth a warning, since the literal would be sent. */
export function looksLikeExpansion(source: ValueSource): boolean {
  return source.kind === 'literal' && /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/.test(source.value);
}
