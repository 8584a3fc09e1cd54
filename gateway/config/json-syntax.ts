// Finds where JSON text stops being JSON, so mcp.json syntax errors point at line:column without echoing the file.

export interface JsonSyntaxProblem {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units like every editor's column. */
  readonly column: number;
  /** Describes the grammar problem; never quotes text from inside a string (it may be a secret). */
  readonly message: string;
}

class Stop {
  readonly offset: number;
  readonly message: string;
  constructor(offset: number, message: string) {
    this.offset = offset;
    this.message = message;
  }
}

const whitespace = new Set([' ', '\t', '\n', '\r']);
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The first syntax problem in `text`, or undefined when it is valid JSON.
 * V8's own messages are not used: some omit the position and some quote the surrounding text.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  let at = 0;

  const describe = (offset: number): string => {
    const char = text[offset];
    if (char === undefined) return 'unexpected end of file';
    return /[\x21-\x7e]/.test(char) ? `unexpected '${char}'` : 'unexpected character';
  };
  const skip = () => {
    while (at < text.length && whitespace.has(text[at] as string)) at += 1;
  };
  const expect = (char: string, what: string) => {
    skip();
    if (text[at] !== char) throw new Stop(at, `expected ${what}, ${describe(at)}`);
    at += 1;
  };

  const string = () => {
    const start = at;
    at += 1; // opening quote
    for (;;) {
      const char = text[at];
      if (char === undefined) throw new Stop(start, 'string is never closed');
      if (char === '"') break;
      if (char < ' ')
        throw new Stop(at, 'control character inside a string (write it as \\n, \\t, …)');
      if (char === '\\') {
        const escaped = text[at + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
            throw new Stop(at, 'invalid \\u escape inside a string');
          }
          at += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) {
          throw new Stop(at, 'invalid escape inside a string');
        }
        at += 2;
        continue;
      }
      at += 1;
    }
    at += 1;
  };

  const value = (): void => {
    skip();
    const char = text[at];
    if (char === '{') object();
    else if (char === '[') array();
    else if (char === '"') string();
    else literal();
  };

  const literal = () => {
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return;
      }
    }
    numberPattern.lastIndex = at;
    const match = numberPattern.exec(text);
    if (match) {
      at += match[0].length;
      return;
    }
    throw new Stop(at, `expected a value, ${describe(at)}`);
  };

  const object = () => {
    at += 1;
    skip();
    if (text[at] === '}') {
      at += 1;
      return;
    }
    for (;;) {
      skip();
      if (text[at] !== '"') throw new Stop(at, `expected a "quoted" key, ${describe(at)}`);
      string();
      expect(':', "':' after the key");
      value();
      skip();
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      if (text[at] === '}') {
        at += 1;
        return;
      }
      throw new Stop(at, `expected ',' or '}', ${describe(at)}`);
    }
  };

  const array = () => {
    at += 1;
    skip();
    if (text[at] === ']') {
      at += 1;
      return;
    }
    for (;;) {
      value();
      skip();
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      if (text[at] === ']') {
        at += 1;
        return;
      }
      throw new Stop(at, `expected ',' or ']', ${describe(at)}`);
    }
  };

  try {
    value();
    skip();
    if (at < text.length)
      throw new Stop(at, `text after the end of the JSON value, ${describe(at)}`);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { ...positionOf(text, error.offset), message: error.message };
  }
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    if (text[i] === '\n') {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
