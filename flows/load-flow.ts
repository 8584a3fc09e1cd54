// Turns one YAML document into a compiled flow: the full Lunar form or the short processors-only form.
import type { CompiledFlow, CompiledNode, Target } from './compiled.ts';
import { type Criteria, CriteriaBuilder } from './criteria.ts';
import { checkKnownKeys, type Diagnostics, isRecord, typeName } from './diagnostics.ts';
import type { YamlPath } from './errors.ts';
import { buildFlowGraph, type FlowGraph } from './flow-graph.ts';
import {
  type CompiledProcessor,
  findProcessor,
  type ProcessorParameter,
  processorTypes,
} from './processors/index.ts';

export interface FlowDocument {
  readonly file: string;
  /** Name for a flow that does not give one: the file's base name. */
  readonly defaultName: string;
  readonly value: unknown;
}

interface LoadedProcessor {
  readonly compiled: CompiledProcessor;
  readonly outputs: readonly string[];
}

const FULL_FORM_KEYS = ['name', 'mode', 'filter', 'processors', 'flow'];
const SHORT_FORM_KEYS = ['name', 'mode', 'filter', 'processors'];
const FILTER_KEYS = ['url', 'urls', 'method', 'methods', 'header', 'headers', 'servers'];

/** Undefined when the document is empty or has errors (reported to `diag`). */
export function loadFlow(doc: FlowDocument, diag: Diagnostics): CompiledFlow | undefined {
  const value = doc.value;
  if (value === null || value === undefined) return undefined;
  if (!isRecord(value)) {
    diag.error('not-a-flow', [], `a flow file must be a mapping, got ${typeName(value)}`);
    return undefined;
  }
  const bare = !('flow' in value) && !('processors' in value);
  if (bare) return loadShortForm(doc, value, [], undefined, diag);
  checkKnownKeys(value, 'flow' in value ? FULL_FORM_KEYS : SHORT_FORM_KEYS, [], diag, 'flow field');
  const name = readName(value.name, doc.defaultName, diag);
  const mode = readMode(value.mode, diag);
  const filter = value.filter === undefined ? undefined : readFilter(value.filter, name, diag);
  if (!('flow' in value))
    return loadShortForm(doc, value.processors, ['processors'], { name, mode, filter }, diag);
  const read = readProcessors(value.processors, ['processors'], diag);
  if (!read) return undefined;
  const graph = buildFlowGraph(value.flow, ['flow'], read.outputs, ['processors'], diag);
  if (!graph || !read.ok || name === undefined || mode === undefined) return undefined;
  return assemble(doc, name, mode, filter, read.processors, graph);
}

interface Header {
  readonly name: string | undefined;
  readonly mode: 'enforce' | 'report' | undefined;
  readonly filter: Criteria | undefined;
}

/** First Filter: hit → allow, miss → the first GenerateResponse (or the default 403). */
function loadShortForm(
  doc: FlowDocument,
  raw: unknown,
  path: YamlPath,
  header: Header | undefined,
  diag: Diagnostics,
): CompiledFlow | undefined {
  if (path.length === 0 && isRecord(raw)) {
    const notProcessors = Object.entries(raw).filter(
      ([, v]) => !isRecord(v) || !('processor' in v),
    );
    if (notProcessors.length > 0) {
      for (const [key] of notProcessors) {
        diag.error(
          'not-a-flow',
          [key],
          `'${key}' is neither a flow field (name, filter, processors, flow) nor a processor`,
        );
      }
      return undefined;
    }
  }
  const read = readProcessors(raw, path, diag);
  if (!read?.ok) return undefined;
  const entries = [...read.processors];
  const filter = entries.find(([, p]) => p.compiled.type === 'Filter');
  if (!filter) {
    diag.error(
      'missing-filter',
      path,
      'a flow without `flow:` connections needs a Filter processor',
    );
    return undefined;
  }
  const responder = entries.find(([, p]) => p.outputs.length === 0);
  for (const [key] of entries) {
    if (key !== filter[0] && key !== responder?.[0]) {
      diag.error(
        'unreachable-processor',
        [...path, key],
        `processor ${key} is never reached: the short form uses only the first Filter and the first GenerateResponse`,
      );
    }
  }
  // Without a GenerateResponse, `miss` stays unconnected and evaluate() answers with the default 403.
  const outs = new Map<string, Target>([['hit', { kind: 'end' }]]);
  if (responder) outs.set('miss', { kind: 'processor', name: responder[0] });
  const next = new Map<string, ReadonlyMap<string, Target>>([[filter[0], outs]]);
  const name = header ? header.name : doc.defaultName;
  const mode = header ? header.mode : 'enforce';
  if (name === undefined || mode === undefined) return undefined;
  const used = new Map(entries.filter(([key]) => key === filter[0] || key === responder?.[0]));
  return assemble(doc, name, mode, header?.filter, used, {
    start: { kind: 'processor', name: filter[0] },
    next,
  });
}

function assemble(
  doc: FlowDocument,
  name: string,
  mode: 'enforce' | 'report',
  filter: Criteria | undefined,
  processors: ReadonlyMap<string, LoadedProcessor>,
  graph: FlowGraph,
): CompiledFlow {
  const nodes = new Map<string, CompiledNode>();
  let patternCount = filter?.urls?.size ?? 0;
  for (const [key, p] of processors) {
    nodes.set(key, { processor: p.compiled, next: graph.next.get(key) ?? new Map() });
    patternCount += p.compiled.patternCount;
  }
  return { name, file: doc.file, mode, filter, start: graph.start, nodes, patternCount };
}

interface ReadProcessors {
  readonly ok: boolean;
  readonly processors: Map<string, LoadedProcessor>;
  /** Includes processors of unknown type (null), so connection checks still run on them. */
  readonly outputs: Map<string, readonly string[] | null>;
}

function readProcessors(
  raw: unknown,
  path: YamlPath,
  diag: Diagnostics,
): ReadProcessors | undefined {
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    diag.error(
      'wrong-type',
      path,
      `processors must be a non-empty mapping of name → {processor, parameters}, got ${typeName(raw)}`,
    );
    return undefined;
  }
  const out = new Map<string, LoadedProcessor>();
  const outputs = new Map<string, readonly string[] | null>();
  let ok = true;
  for (const [name, spec] of Object.entries(raw)) {
    const at = [...path, name];
    if (!isRecord(spec)) {
      diag.error('wrong-type', at, `expected {processor, parameters}, got ${typeName(spec)}`);
      outputs.set(name, null);
      ok = false;
      continue;
    }
    checkKnownKeys(spec, ['processor', 'parameters'], at, diag, 'processor field');
    const definition =
      typeof spec.processor === 'string' ? findProcessor(spec.processor) : undefined;
    if (!definition) {
      const got =
        typeof spec.processor === 'string' ? `'${spec.processor}'` : typeName(spec.processor);
      const code = typeof spec.processor === 'string' ? 'unknown-processor' : 'missing-field';
      diag.error(
        code,
        [...at, 'processor'],
        `unknown processor ${got} (known: ${processorTypes().join(', ')})`,
      );
      outputs.set(name, null);
      ok = false;
      continue;
    }
    const params = readParameters(spec.parameters, [...at, 'parameters'], diag);
    const compiled = definition.compile(params, { name, path: at, diag });
    out.set(name, { compiled, outputs: definition.outputs });
    outputs.set(name, definition.outputs);
  }
  return { ok, processors: out, outputs };
}

function readParameters(raw: unknown, path: YamlPath, diag: Diagnostics): ProcessorParameter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    diag.error(
      'wrong-type',
      path,
      `parameters must be a list of {key, value}, got ${typeName(raw)}`,
    );
    return [];
  }
  const params: ProcessorParameter[] = [];
  for (const [index, item] of raw.entries()) {
    const at = [...path, index];
    if (!isRecord(item) || typeof item.key !== 'string') {
      diag.error('wrong-type', at, 'a parameter must be {key: name, value: …}');
      continue;
    }
    checkKnownKeys(item, ['key', 'value'], at, diag, 'parameter field');
    params.push({ key: item.key, value: item.value, path: [...at, 'value'] });
  }
  return params;
}

function readName(raw: unknown, fallback: string, diag: Diagnostics): string | undefined {
  if (raw === undefined) return fallback;
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  diag.error('wrong-type', ['name'], `name must be a non-empty string, got ${typeName(raw)}`);
  return undefined;
}

function readMode(raw: unknown, diag: Diagnostics): 'enforce' | 'report' | undefined {
  if (raw === undefined || raw === 'enforce') return 'enforce';
  if (raw === 'report') return 'report';
  diag.error('wrong-type', ['mode'], `mode must be enforce or report, got ${typeName(raw)}`);
  return undefined;
}

function readFilter(
  raw: unknown,
  flowName: string | undefined,
  diag: Diagnostics,
): Criteria | undefined {
  if (!isRecord(raw)) {
    diag.error('wrong-type', ['filter'], `filter must be a mapping, got ${typeName(raw)}`);
    return undefined;
  }
  checkKnownKeys(raw, FILTER_KEYS, ['filter'], diag, 'filter field');
  const builder = new CriteriaBuilder(`the filter of flow ${flowName ?? '?'}`, diag);
  for (const [key, value] of Object.entries(raw)) {
    const path = ['filter', key];
    if (key === 'url' || key === 'urls') builder.addUrls(value, path, key === 'url');
    else if (key === 'method' || key === 'methods')
      builder.addMethods(value, path, key === 'method');
    else if (key === 'header' || key === 'headers')
      builder.addHeaders(value, path, key === 'header');
    else if (key === 'servers') builder.addServers(value, path);
  }
  return builder.build();
}
