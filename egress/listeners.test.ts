// Parsing of `--listen` / `egress.listen`, and what counts as loopback for the beyond-loopback warning.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseListen } from './listeners.ts';

describe('parseListen', () => {
  it.each([
    { text: '127.0.0.1:8080', expected: { host: '127.0.0.1', port: 8080 } },
    { text: '127.0.0.1:0', expected: { host: '127.0.0.1', port: 0 } },
    { text: '[::1]:3128', expected: { host: '::1', port: 3128 } },
    { text: 'localhost:8080', expected: { host: 'localhost', port: 8080 } },
    { text: '127.0.0.1', expected: undefined },
    { text: '127.0.0.1:65536', expected: undefined },
    { text: '::1:8080', expected: undefined },
    { text: ':8080', expected: undefined },
  ])('$text → $expected', ({ text, expected }) => {
    expect(parseListen(text)).toEqual(expected);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    { host: '127.0.0.1', loopback: true },
    { host: '127.1.2.3', loopback: true },
    { host: '::1', loopback: true },
    { host: 'localhost', loopback: true },
    { host: '0.0.0.0', loopback: false },
    { host: '::', loopback: false },
    { host: '10.0.0.1', loopback: false },
  ])('$host → $loopback', ({ host, loopback }) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
