// Locating JSON syntax errors: where, in words, and never echoing a string's contents.
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxProblem } from './json-syntax.ts';

describe('findJsonSyntaxProblem', () => {
  it.each([
    { text: '{"a": [1, 2.5e3, true, false, null, "x\\u00e9\\n"]}', problem: undefined },
    {
      text: ' \n',
      problem: { line: 2, column: 1, message: 'expected a value, unexpected end of file' },
    },
    {
      text: '{"a": 1,}',
      problem: { line: 1, column: 9, message: `expected a "quoted" key, unexpected '}'` },
    },
    {
      text: "{'a': 1}",
      problem: { line: 1, column: 2, message: `expected a "quoted" key, unexpected '''` },
    },
    {
      text: '{"a" 1}',
      problem: { line: 1, column: 6, message: `expected ':' after the key, unexpected '1'` },
    },
    {
      text: '[1 2]',
      problem: { line: 1, column: 4, message: `expected ',' or ']', unexpected '2'` },
    },
    {
      text: '{"a": tru}',
      problem: { line: 1, column: 7, message: `expected a value, unexpected 't'` },
    },
    {
      text: '{"a": "x\ny"}',
      problem: {
        line: 1,
        column: 9,
        message: 'control character inside a string (write it as \\n, \\t, …)',
      },
    },
    {
      text: '{"a": "never closed}',
      problem: { line: 1, column: 7, message: 'string is never closed' },
    },
    {
      text: '{}\n// comment',
      problem: {
        line: 2,
        column: 1,
        message: `text after the end of the JSON value, unexpected '/'`,
      },
    },
    {
      text: '{"a": 01}',
      problem: { line: 1, column: 8, message: `expected ',' or '}', unexpected '1'` },
    },
  ])('$text', ({ text, problem }) => {
    expect(findJsonSyntaxProblem(text)).toEqual(problem);
    // Whatever this finder says, JSON.parse must agree on validity.
    expect(problem === undefined).toBe(isJson(text));
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
