// Parses YAML while keeping positions, so any loader can point errors at file:line:column of a field.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  visit,
} from 'yaml';
import { FlowConfigError, type SourcePosition, type YamlPath } from './errors.ts';

export interface YamlSource {
  readonly file: string;
  /** The document as plain data (`toJS()`). */
  readonly value: unknown;
  /** Position of the node at `path`; the nearest existing parent when the path does not exist. */
  locate(path: YamlPath): SourcePosition;
}

export type YamlSourceResult =
  | { readonly ok: true; readonly source: YamlSource }
  | { readonly ok: false; readonly errors: FlowConfigError[] };

export type YamlSourcesResult =
  | { readonly ok: true; readonly sources: YamlSource[] }
  | { readonly ok: false; readonly errors: FlowConfigError[] };

/** One YAML document (an empty file is a document whose value is null). */
export function parseYamlSource(file: string, text: string): YamlSourceResult {
  const parsed = parseYamlDocuments(file, text);
  if (!parsed.ok) return parsed;
  const [first, second] = parsed.sources;
  if (second !== undefined) {
    const error = new FlowConfigError({
      code: 'yaml-syntax',
      file,
      position: second.locate([]),
      path: [],
      message: 'expected one YAML document, found several',
    });
    return { ok: false, errors: [error] };
  }
  return { ok: true, source: first ?? emptySource(file) };
}

/** Every document of a multi-document stream (`---` separated), in order. */
export function parseYamlDocuments(file: string, text: string): YamlSourcesResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const errors: FlowConfigError[] = [];
  for (const doc of docs) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      errors.push(
        new FlowConfigError({
          code: 'yaml-syntax',
          file,
          position: { line: pos?.line ?? 1, column: pos?.col ?? 1 },
          path: [],
          message: firstLine(err.message),
        }),
      );
    }
  }
  for (const doc of docs) {
    // `- *.example.com/*` is an alias in YAML, a classic slip when copying unquoted patterns.
    visit(doc, {
      Alias(_key, node) {
        if (node.resolve(doc) !== undefined) return;
        errors.push(
          new FlowConfigError({
            code: 'yaml-syntax',
            file,
            position: positionOf(node, lineCounter) ?? { line: 1, column: 1 },
            path: [],
            message: `*${node.source} is read as a YAML alias with no anchor; quote values that start with *`,
          }),
        );
      },
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const sources: YamlSource[] = [];
  for (const doc of docs) {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      const position = positionOf(doc.contents, lineCounter) ?? { line: 1, column: 1 };
      const message = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        errors: [new FlowConfigError({ code: 'yaml-syntax', file, position, path: [], message })],
      };
    }
    const root = doc.contents;
    sources.push({ file, value, locate: (path) => locateIn(root, path, lineCounter) });
  }
  return { ok: true, sources };
}

function emptySource(file: string): YamlSource {
  return { file, value: null, locate: () => ({ line: 1, column: 1 }) };
}

/** The yaml package appends "at line L, column C:" and a code excerpt; the position is reported apart. */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function locateIn(root: unknown, path: YamlPath, lines: LineCounter): SourcePosition {
  let node: unknown = root;
  let best = positionOf(root, lines) ?? { line: 1, column: 1 };
  for (const segment of path) {
    let next: unknown;
    let keyPosition: SourcePosition | undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) =>
          isPair(item) &&
          String(isScalar(item.key) ? item.key.value : item.key) === String(segment),
      );
      if (pair) {
        keyPosition = positionOf(pair.key, lines);
        next = pair.value;
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined && keyPosition === undefined) break;
    // An empty value (`key:`) has no useful range: point at its key instead.
    const position = positionOf(next, lines) ?? keyPosition;
    if (position === undefined) break;
    best = position;
    node = next;
    if (next === null || next === undefined) break;
  }
  return best;
}

function positionOf(node: unknown, lines: LineCounter): SourcePosition | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  if (!range) return undefined;
  if (isScalar(node) && node.value === null && range[0] === range[1]) return undefined;
  const pos = lines.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}
