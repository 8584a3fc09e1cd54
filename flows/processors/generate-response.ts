// GenerateResponse: answers the request itself (status, body, every other key a header); terminal.
import { typeName } from '../diagnostics.ts';
import type { GeneratedResponse } from '../types.ts';
import type { ProcessorDefinition } from './types.ts';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// The egress frames the body itself; a flow must not contradict it.
const RESERVED = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'x-airlock-blocked-by',
]);

export const generateResponseProcessor: ProcessorDefinition = {
  type: 'GenerateResponse',
  outputs: [],
  compile(params, ctx) {
    let status = 200;
    let body = 'OK';
    const headers: Record<string, string> = {};
    for (const { key, value, path } of params) {
      if (key === 'status') {
        const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof parsed !== 'number' || !Number.isInteger(parsed)) {
          ctx.diag.error('wrong-type', path, `status must be an integer, got ${typeName(value)}`);
        } else if (parsed < 100 || parsed > 599) {
          ctx.diag.error('wrong-type', path, `status ${parsed} is out of range (100-599)`);
        } else status = parsed;
      } else if (key === 'body') {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          body = String(value);
        else ctx.diag.error('wrong-type', path, `body must be text, got ${typeName(value)}`);
      } else if (!TOKEN.test(key)) {
        ctx.diag.error('wrong-type', path, `'${key}' is not a valid header name`);
      } else if (RESERVED.has(key.toLowerCase())) {
        ctx.diag.error(
          'wrong-type',
          path,
          `header ${key} is set by the egress and cannot be generated`,
        );
      } else if (
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean'
      ) {
        const text = String(value);
        if (/[\r\n\0]/.test(text))
          ctx.diag.error('wrong-type', path, `header ${key} contains a line break`);
        else headers[key] = text;
      } else {
        ctx.diag.error('wrong-type', path, `header ${key} must be text, got ${typeName(value)}`);
      }
    }
    const response: GeneratedResponse = Object.freeze({
      status,
      body,
      headers: Object.freeze(headers),
    });
    return {
      name: ctx.name,
      type: 'GenerateResponse',
      patternCount: 0,
      response,
      step: () => ({ kind: 'respond', response }),
    };
  },
};
