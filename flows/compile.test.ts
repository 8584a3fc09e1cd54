// Loader and validator: the good fixtures compile; each bad fixture fails with its code at file:line:column + field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFlowSources, type FlowSource } from './compile.ts';

const FIXTURES = join(import.meta.dirname, '../test/fixtures/flows');

function fixture(kind: 'valid' | 'invalid', name: string): FlowSource {
  const file = join(FIXTURES, kind, name);
  return { file: `${kind}/${name}`, text: readFileSync(file, 'utf8') };
}

function errorsOf(sources: FlowSource[]) {
  const result = compileFlowSources(sources);
  if (result.ok) throw new Error('expected errors');
  return result.errors.map((e) => ({
    code: e.code,
    line: e.line,
    column: e.column,
    field: e.field,
  }));
}

describe('compileFlowSources on valid files', () => {
  it('compiles every valid fixture together, in file order, without warnings', () => {
    const names = readdirSync(join(FIXTURES, 'valid'));
    const result = compileFlowSources(names.map((n) => fixture('valid', n)));
    expect(result.ok && result.flows.names).toEqual([
      'ReportsReadOnly',
      'GithubOnly',
      'slack-allowlist',
    ]);
    expect(result.ok && result.flows.patternCount).toBe(7);
    expect(result.warnings).toEqual([]);
  });

  it('names a short-form flow after its file', () => {
    const result = compileFlowSources([
      { file: 'config/flows/My-List.yml', text: fixture('valid', 'slack-allowlist.yaml').text },
    ]);
    expect(result.ok && result.flows.names).toEqual(['My-List']);
  });

  it('orders flows by file path, then by document in the file', () => {
    const doc = (name: string) => `name: ${name}\nprocessors:\n  F:\n    processor: Filter\n`;
    const result = compileFlowSources([
      { file: 'b.yaml', text: doc('B') },
      { file: 'a.yaml', text: `${doc('A1')}---\n${doc('A2')}` },
    ]);
    expect(result.ok && result.flows.names).toEqual(['A1', 'A2', 'B']);
  });

  it('accepts an empty file as no flows', () => {
    const result = compileFlowSources([{ file: 'empty.yaml', text: '# nothing yet\n' }]);
    expect(result.ok && result.flows.names).toEqual([]);
  });

  it('warns where a rule needs the path, method or headers of an https request', () => {
    const text = [
      'Allow:',
      '  processor: Filter',
      '  parameters:',
      '    - key: urls',
      '      value: [api.x.com/v1/*, http://plain.x.com/v1/*]',
      '    - key: method',
      '      value: GET',
    ].join('\n');
    const result = compileFlowSources([{ file: 'w.yaml', text }]);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.severity, w.line, w.column, w.field])).toEqual([
      ['needs-interception', 'warning', 5, 15, 'Allow.parameters[0].value[0]'],
      ['needs-interception', 'warning', 7, 14, 'Allow.parameters[1].value'],
    ]);
    expect(result.warnings[0]?.message).toBe(
      "w.yaml:5:15: Allow.parameters[0].value[0]: the path in 'api.x.com/v1/*' is only decidable with TLS interception; without it such requests are denied",
    );
  });
});

describe('compileFlowSources on invalid files', () => {
  it.each([
    ['unknown-processor.yaml', 'unknown-processor', 7, 14, 'Limit.processor'],
    [
      'unknown-condition.yaml',
      'unknown-condition',
      14,
      50,
      'flow.request[2].from.processor.condition',
    ],
    ['missing-response.yaml', 'missing-stream', 9, 3, 'flow.response'],
    [
      'dangling-connection.yaml',
      'dangling-connection',
      15,
      30,
      'flow.request[2].to.processor.name',
    ],
    ['cyclic-flow.yaml', 'cyclic-flow', 23, 7, 'flow.request[4]'],
    ['unreachable-processor.yaml', 'unreachable-processor', 9, 5, 'processors.Orphan'],
    ['unconnected-output.yaml', 'unconnected-output', 4, 5, 'processors.Allow'],
    ['ambiguous-connection.yaml', 'ambiguous-connection', 16, 7, 'flow.request[3]'],
    ['missing-filter.yaml', 'missing-filter', 1, 1, ''],
    ['unknown-parameter.yaml', 'unknown-parameter', 7, 14, 'Allow.parameters[1].value'],
    ['unknown-field.yaml', 'unknown-field', 2, 14, 'proccessors'],
    ['wrong-status.yaml', 'wrong-type', 10, 14, 'Deny.parameters[0].value'],
    ['status-out-of-range.yaml', 'wrong-type', 10, 14, 'Deny.parameters[0].value'],
    ['urls-not-a-list.yaml', 'wrong-type', 5, 14, 'Allow.parameters[0].value'],
    ['urls-not-strings.yaml', 'wrong-type', 7, 11, 'Allow.parameters[0].value[1]'],
    [
      'unknown-header-operation.yaml',
      'wrong-type',
      8,
      22,
      'Allow.parameters[0].value[0].operation',
    ],
    ['bad-regex.yaml', 'bad-regex', 7, 16, 'Allow.parameters[0].value.value'],
    ['yaml-syntax.yaml', 'yaml-syntax', 7, 11, ''],
    ['yaml-unclosed.yaml', 'yaml-syntax', 5, 1, ''],
    ['not-a-flow.yaml', 'not-a-flow', 1, 1, ''],
  ])('%s fails with %s at %i:%i %s', (name, code, line, column, field) => {
    expect(errorsOf([fixture('invalid', name)])).toEqual([{ code, line, column, field }]);
  });

  it('reports every bad pattern of a file, each at its own line', () => {
    const errors = errorsOf([fixture('invalid', 'bad-patterns.yaml')]);
    expect(errors).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        code: 'bad-pattern',
        line: 6 + i,
        column: 11,
        field: `AllowFilter.parameters[0].value[${i}]`,
      })),
    );
  });

  it('refuses a flow name used in another file, pointing at the second', () => {
    const errors = compileFlowSources([
      fixture('invalid', 'duplicate-name-b.yaml'),
      fixture('invalid', 'duplicate-name-a.yaml'),
    ]);
    expect(errors.ok).toBe(false);
    if (errors.ok) return;
    expect(errors.errors.map((e) => [e.code, e.file, e.line, e.column, e.field])).toEqual([
      ['duplicate-flow-name', 'invalid/duplicate-name-b.yaml', 2, 7, 'name'],
    ]);
    expect(errors.errors[0]?.detail).toBe(
      "flow name 'Shared' is already used at invalid/duplicate-name-a.yaml:1",
    );
  });

  it('reports errors of several kinds in one file together', () => {
    const text = [
      'name: Many',
      'processors:',
      '  Allow:',
      '    processor: Filter',
      '    parameters:',
      '      - key: urls',
      '        value: ["*x.com/*"]',
      '  Deny:',
      '    processor: GenerateResponse',
      '    parameters:',
      '      - key: status',
      '        value: 99',
      'flow:',
      '  request:',
      '    - from: {stream: {name: globalStream, at: start}}',
      '      to: {processor: {name: Allow}}',
      '    - from: {processor: {name: Allow, condition: hits}}',
      '      to: {processor: {name: Deny}}',
      '  response: []',
    ].join('\n');
    expect(errorsOf([{ file: 'many.yaml', text }]).map((e) => e.code)).toEqual([
      'bad-pattern',
      'wrong-type',
      'unknown-condition',
    ]);
  });

  it('formats an error as file:line:column: field: message', () => {
    const result = compileFlowSources([fixture('invalid', 'unknown-condition.yaml')]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(String(result.errors[0])).toBe(
      'invalid/unknown-condition.yaml:14:50: flow.request[2].from.processor.condition: condition must be one of hit, miss for Allow, got string "misses"',
    );
    expect(result.errors[0]?.severity).toBe('error');
  });
});
