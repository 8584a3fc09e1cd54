// YAML with positions: values as data, and `locate` pointing at a field or its nearest existing parent.
import { describe, expect, it } from 'vitest';
import { parseYamlDocuments, parseYamlSource } from './yaml-source.ts';

const TEXT = [
  'egress:',
  '  mode: report',
  '  hosts:',
  '    api.test: 127.0.0.1',
  '  list:',
  '    - a',
  '    - b',
  '  empty:',
  '',
].join('\n');

describe('parseYamlSource', () => {
  it('returns the document as plain data', () => {
    const parsed = parseYamlSource('app.yaml', TEXT);
    expect(parsed.ok && parsed.source.value).toEqual({
      egress: { mode: 'report', hosts: { 'api.test': '127.0.0.1' }, list: ['a', 'b'], empty: null },
    });
  });

  it.each([
    [['egress', 'mode'], 2, 9],
    [['egress', 'hosts', 'api.test'], 4, 15],
    [['egress', 'list', 1], 7, 7],
    [['egress', 'empty'], 8, 3],
    [['egress', 'list', 5], 6, 5],
    [['egress', 'missing', 'deeper'], 2, 3],
    [[], 1, 1],
  ] as const)('locates %j at %i:%i', (path, line, column) => {
    const parsed = parseYamlSource('app.yaml', TEXT);
    expect(parsed.ok && parsed.source.locate(path)).toEqual({ line, column });
  });

  it('reports a syntax error with its position', () => {
    const parsed = parseYamlSource('app.yaml', 'a: [1, 2\nb: 3\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.errors[0]).toMatchObject({ code: 'yaml-syntax', file: 'app.yaml', line: 2 });
  });

  it('reports a duplicate key', () => {
    const parsed = parseYamlSource('app.yaml', 'a: 1\na: 2\n');
    expect(!parsed.ok && parsed.errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ['yaml-syntax', 2, 1],
    ]);
  });

  it('refuses several documents where one is expected', () => {
    const parsed = parseYamlSource('app.yaml', 'a: 1\n---\nb: 2\n');
    expect(!parsed.ok && parsed.errors.map((e) => [e.code, e.line])).toEqual([['yaml-syntax', 3]]);
  });

  it('treats an empty file as a null document', () => {
    const parsed = parseYamlSource('app.yaml', '');
    expect(parsed.ok && parsed.source.value).toBe(null);
  });
});

describe('parseYamlDocuments', () => {
  it('keeps positions per document', () => {
    const parsed = parseYamlDocuments('f.yaml', 'name: A\n---\nname: B\n');
    expect(parsed.ok && parsed.sources.map((s) => [s.value, s.locate(['name'])])).toEqual([
      [{ name: 'A' }, { line: 1, column: 7 }],
      [{ name: 'B' }, { line: 3, column: 7 }],
    ]);
  });
});
