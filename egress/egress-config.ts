// The `egress:` section of `<config>/app.yaml`: strict schema, defaults, and errors at file:line:column + field.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FlowConfigError, type FlowConfigErrorCode, type YamlPath } from '../flows/errors.ts';
import { parseYamlSource, type YamlSource } from '../flows/yaml-source.ts';
import { compileAddressPolicy } from './address-policy.ts';
import { EgressConfigError } from './errors.ts';
import { createResolver } from './resolve.ts';

const listenPattern = /^(?:\[[0-9A-Fa-f:.]+\]|[^:[\]\s]+):\d{1,5}$/;
const serverName = /^[A-Za-z0-9_.-]{1,64}$/;

const egressSchema = z.strictObject({
  mode: z.enum(['enforce', 'report']).default('enforce'),
  default: z.enum(['deny', 'allow']).default('deny'),
  listen: z.string().regex(listenPattern, 'must be HOST:PORT').default('127.0.0.1:8080'),
  anonymous: z.string().regex(serverName, 'must be a server name ([A-Za-z0-9_.-])').optional(),
  allowAddresses: z.array(z.string()).default([]),
  hosts: z
    .record(z.string(), z.union([z.string(), z.array(z.string()).min(1)]))
    .default({})
    .transform((hosts) =>
      Object.fromEntries(Object.entries(hosts).map(([name, value]) => [name, [value].flat()])),
    ),
  connectTimeoutSeconds: z.number().positive().max(600).default(10),
  idleTimeoutSeconds: z.number().positive().max(86_400).default(300),
  maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
});

export type EgressConfig = z.output<typeof egressSchema>;

export type EgressConfigResult =
  | { readonly ok: true; readonly config: EgressConfig }
  | { readonly ok: false; readonly errors: FlowConfigError[] };

export const APP_FILE = 'app.yaml';

/** Every field at its default: what a missing app.yaml (or one without `egress:`) means. */
export function defaultEgressConfig(): EgressConfig {
  return egressSchema.parse({});
}

function codeFor(issue: z.core.$ZodIssue): FlowConfigErrorCode {
  if (issue.code === 'unrecognized_keys') return 'unknown-field';
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'missing-field';
  return 'wrong-type';
}

function positioned(
  source: YamlSource,
  code: FlowConfigErrorCode,
  path: YamlPath,
  message: string,
): FlowConfigError {
  return new FlowConfigError({
    code,
    file: source.file,
    position: source.locate(path),
    path,
    message,
  });
}

/** Compiles each address entry and host alone, so an error points at the entry that caused it. */
function compileErrors(source: YamlSource, config: EgressConfig): FlowConfigError[] {
  const errors: FlowConfigError[] = [];
  config.allowAddresses.forEach((entry, index) => {
    try {
      compileAddressPolicy({ allowAddresses: [entry], ownAddresses: () => [] });
    } catch (error) {
      const message = error instanceof EgressConfigError ? error.message : String(error);
      errors.push(positioned(source, 'wrong-type', ['egress', 'allowAddresses', index], message));
    }
  });
  for (const [name, addresses] of Object.entries(config.hosts)) {
    try {
      createResolver({ hosts: { [name]: addresses } });
    } catch (error) {
      const message = error instanceof EgressConfigError ? error.message : String(error);
      errors.push(positioned(source, 'wrong-type', ['egress', 'hosts', name], message));
    }
  }
  return errors;
}

/** Pure: app.yaml text → the egress section with defaults, or positioned errors. Other sections are ignored. */
export function parseEgressConfig(file: string, text: string): EgressConfigResult {
  const parsed = parseYamlSource(file, text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const source = parsed.source;
  const document = source.value ?? {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    return {
      ok: false,
      errors: [positioned(source, 'wrong-type', [], 'app.yaml must be a mapping of sections')],
    };
  }
  const section = (document as Record<string, unknown>).egress ?? {};
  const result = egressSchema.safeParse(section);
  if (!result.success) {
    const errors = result.error.issues.flatMap((issue) => {
      const base: YamlPath = [
        'egress',
        ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      ];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) =>
          positioned(
            source,
            'unknown-field',
            [...base, key],
            `unknown field ${JSON.stringify(key)}`,
          ),
        );
      }
      return [positioned(source, codeFor(issue), base, issue.message)];
    });
    return { ok: false, errors };
  }
  const errors = compileErrors(source, result.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: result.data };
}

/** Edge: reads `<configDir>/app.yaml`; a missing file means every default. */
export async function loadEgressConfig(configDir: string): Promise<EgressConfigResult> {
  const file = join(configDir, APP_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { ok: true, config: defaultEgressConfig() };
    throw error;
  }
  return parseEgressConfig(file, text);
}
