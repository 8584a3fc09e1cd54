// Loads, validates and compiles flow files as one set: all errors of every file, or a set ready to evaluate.

import type { CompiledFlow } from './compiled.ts';
import { CompiledFlowSet } from './compiled.ts';
import type { Diagnostics } from './diagnostics.ts';
import { FlowConfigError } from './errors.ts';
import { loadFlow } from './load-flow.ts';
import { parseYamlDocuments, type YamlSource } from './yaml-source.ts';

export { CompiledFlowSet } from './compiled.ts';

export interface FlowSource {
  /** Path as it should appear in errors; also decides evaluation order. */
  readonly file: string;
  readonly text: string;
}

export type CompileResult =
  | { readonly ok: true; readonly flows: CompiledFlowSet; readonly warnings: FlowConfigError[] }
  | {
      readonly ok: false;
      readonly errors: FlowConfigError[];
      readonly warnings: FlowConfigError[];
    };

export function compileFlowSources(sources: readonly FlowSource[]): CompileResult {
  const errors: FlowConfigError[] = [];
  const warnings: FlowConfigError[] = [];
  const flows: CompiledFlow[] = [];
  const seen = new Map<string, { file: string; line: number }>();
  const ordered = [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const { file, text } of ordered) {
    const parsed = parseYamlDocuments(file, text);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    for (const source of parsed.sources) {
      const before = errors.length;
      const flow = loadFlow(
        { file, defaultName: baseName(file), value: source.value },
        collect(source, errors, warnings),
      );
      if (!flow || errors.length > before) continue;
      const previous = seen.get(flow.name);
      const position = source.locate(['name']);
      if (previous) {
        errors.push(
          new FlowConfigError({
            code: 'duplicate-flow-name',
            file,
            position,
            path: ['name'],
            message: `flow name '${flow.name}' is already used at ${previous.file}:${previous.line}`,
          }),
        );
        continue;
      }
      seen.set(flow.name, { file, line: position.line });
      flows.push(flow);
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, flows: new CompiledFlowSet(flows), warnings };
}

function collect(
  source: YamlSource,
  errors: FlowConfigError[],
  warnings: FlowConfigError[],
): Diagnostics {
  const make =
    (severity: 'error' | 'warning') =>
    (code: FlowConfigError['code'], path: readonly (string | number)[], message: string) =>
      new FlowConfigError({
        code,
        file: source.file,
        position: source.locate(path),
        path,
        message,
        severity,
      });
  const error = make('error');
  const warning = make('warning');
  return {
    error: (code, path, message) => errors.push(error(code, path, message)),
    warn: (code, path, message) => warnings.push(warning(code, path, message)),
  };
}

/** `config/flows/slack-allowlist.yaml` → `slack-allowlist`. */
function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.(ya?ml)$/i, '');
}
