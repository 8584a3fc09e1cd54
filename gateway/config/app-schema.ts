// The zod schema of app.yaml's gateway sections as written (MCPX shape plus Airlock's fields), with defaults.
import { z } from 'zod';
import { writtenRuleSchema } from './permission-rule.ts';

export const DEFAULT_API_KEY_HEADER = 'x-lunar-api-key';

const listenAddress = z
  .string()
  .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be HOST:PORT');
const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . -');
const toolList = z.union([z.literal('*'), z.array(z.string().min(1))], {
  error: 'must be "*" (all tools) or a list of tool names',
});
const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')
  .transform((name) => name.toLowerCase());
const origin = z
  .string()
  .refine(
    (text) => URL.canParse(text) && new URL(text).origin === text.replace(/\/$/, ''),
    'must be an origin like https://app.example.com (scheme, host and optional port)',
  );

/**
 * A fixed parameter: `{value: X}` (with an optional `description`), or MCPX's short form `param: X`
 * for a string, number, boolean, null or list. An object value must use the long form.
 */
const overrideParam = z.union(
  [
    z.strictObject({ value: z.unknown(), description: z.string().optional() }),
    z
      .union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown())])
      .transform((value) => ({ value })),
  ],
  { error: 'must be {value: X} or a plain value (string, number, boolean, null or list)' },
);

export const settingsSchema = z.strictObject({
  permissions: z
    .strictObject({
      default: writtenRuleSchema.optional(),
      /** Older MCPX releases: the default as `base: allow|block`. */
      base: z.enum(['allow', 'block']).optional(),
      consumers: z.record(z.string().min(1), writtenRuleSchema).default({}),
    })
    .optional(),
  toolGroups: z
    .array(z.strictObject({ name: z.string().min(1), services: z.record(z.string(), toolList) }))
    .default([]),
  auth: z
    .strictObject({
      enabled: z.boolean().default(false),
      header: headerName.default(DEFAULT_API_KEY_HEADER),
      keys: z
        .record(
          z.string().min(1),
          z
            .string()
            .regex(
              /^sha256:[0-9a-f]{64}$/,
              'must be "sha256:<64 hex digits>": store the hash, never the key (`airlock keys create CONSUMER` writes it)',
            ),
        )
        .default({}),
    })
    .prefault({}),
  toolExtensions: z
    .strictObject({
      services: z
        .record(
          z.string(),
          z.record(
            z.string(),
            z.strictObject({
              childTools: z
                .array(
                  z.strictObject({
                    name: toolName,
                    description: z
                      .strictObject({ action: z.enum(['append', 'rewrite']), text: z.string() })
                      .optional(),
                    overrideParams: z.record(z.string().min(1), overrideParam).default({}),
                  }),
                )
                .default([]),
              hideParent: z.boolean().default(false),
            }),
          ),
        )
        .default({}),
    })
    .prefault({}),
  disabledTools: z.record(z.string(), toolList).default({}),
  naming: z.enum(['prefix', 'conditional', 'none']).default('prefix'),
  allowedOrigins: z.array(origin).default([]),
  listen: z
    .strictObject({
      mcp: listenAddress.default('127.0.0.1:9000'),
      dashboard: listenAddress.default('127.0.0.1:5173'),
      metrics: listenAddress.default('127.0.0.1:3000'),
    })
    .prefault({}),
});

export type ParsedSettings = z.output<typeof settingsSchema>;
