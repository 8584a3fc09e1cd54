// Flow configuration errors: one class with a stable `code` and the file:line:column of the field at fault.

/** Stable codes; tools and tests match on these, never on message text. */
export type FlowConfigErrorCode =
  | 'yaml-syntax'
  | 'not-a-flow'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'unknown-processor'
  | 'unknown-parameter'
  | 'unknown-condition'
  | 'missing-stream'
  | 'missing-filter'
  | 'dangling-connection'
  | 'ambiguous-connection'
  | 'unconnected-output'
  | 'cyclic-flow'
  | 'unreachable-processor'
  | 'duplicate-flow-name'
  | 'bad-pattern'
  | 'bad-regex'
  | 'needs-interception';

export type Severity = 'error' | 'warning';

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** A path into a YAML document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

export interface FlowConfigErrorInit {
  readonly code: FlowConfigErrorCode;
  readonly file: string;
  readonly position: SourcePosition;
  readonly path: YamlPath;
  readonly message: string;
  readonly severity?: Severity;
}

export class FlowConfigError extends Error {
  readonly code: FlowConfigErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path of the field, e.g. `processors.AllowFilter.parameters[0].value`; empty for the document. */
  readonly field: string;
  readonly severity: Severity;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(init: FlowConfigErrorInit) {
    const field = formatField(init.path);
    const where = `${init.file}:${init.position.line}:${init.position.column}`;
    super(`${where}: ${field === '' ? '(document)' : field}: ${init.message}`);
    this.name = 'FlowConfigError';
    this.code = init.code;
    this.file = init.file;
    this.line = init.position.line;
    this.column = init.position.column;
    this.field = field;
    this.severity = init.severity ?? 'error';
    this.detail = init.message;
  }

  override toString(): string {
    return this.message;
  }
}

/** `['processors', 'A', 'parameters', 0, 'value']` → `processors.A.parameters[0].value`. */
export function formatField(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
