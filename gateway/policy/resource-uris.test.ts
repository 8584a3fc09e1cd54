// Resource URI mapping: unchanged when unambiguous, `airlock://<server>/<original>` when two servers could claim it.
import { describe, expect, it } from 'vitest';
import {
  mapResourceUris,
  mapTemplateUris,
  parseRewrittenUri,
  rewriteUri,
  uriKey,
  uriScheme,
} from './resource-uris.ts';

describe('rewriteUri and parseRewrittenUri', () => {
  it.each([
    ['a plain server', 'memory', 'file:///notes.md', 'airlock://memory/file:///notes.md'],
    [
      'a server name with reserved characters',
      'my server/x',
      'test://a?b#c',
      'airlock://my%20server%2Fx/test://a?b#c',
    ],
    ['an already rewritten URI', 'a', 'airlock://b/x://y', 'airlock://a/airlock://b/x://y'],
  ])('round-trips %s', (_label, server, uri, expected) => {
    expect(rewriteUri(server, uri)).toBe(expected);
    expect(parseRewrittenUri(expected)).toEqual({ server, upstreamUri: uri });
  });

  it.each([
    ['another scheme', 'file:///airlock://a/b'],
    ['no server', 'airlock:///x'],
    ['no slash after the server', 'airlock://a'],
    ['a malformed escape in the server', 'airlock://%E0%A4%A/x'],
  ])('does not parse %s', (_label, uri) => {
    expect(parseRewrittenUri(uri)).toBeUndefined();
  });
});

describe('uriScheme', () => {
  it.each([
    ['file:///x', 'file'],
    ['TEST://static/1', 'test'],
    ['no-scheme', undefined],
    ['1bad://x', undefined],
  ])('%s → %s', (uri, expected) => {
    expect(uriScheme(uri)).toBe(expected);
  });
});

describe('mapResourceUris', () => {
  const mapped = mapResourceUris([
    { server: 'a', uri: 'file:///shared.md' },
    { server: 'b', uri: 'file:///shared.md' },
    { server: 'a', uri: 'file:///only-a.md' },
    { server: 'c', uri: 'airlock://a/file:///only-a.md' },
  ]);
  it.each([
    ['keeps a URI only one server lists', 'a', 'file:///only-a.md', 'file:///only-a.md'],
    [
      'rewrites a URI two servers list, for the first',
      'a',
      'file:///shared.md',
      'airlock://a/file:///shared.md',
    ],
    [
      'rewrites a URI two servers list, for the second',
      'b',
      'file:///shared.md',
      'airlock://b/file:///shared.md',
    ],
    [
      'rewrites an upstream URI that looks rewritten',
      'c',
      'airlock://a/file:///only-a.md',
      'airlock://c/airlock://a/file:///only-a.md',
    ],
  ])('%s', (_label, server, uri, expected) => {
    expect(mapped.get(uriKey(server, uri))).toBe(expected);
  });
});

describe('mapTemplateUris', () => {
  const templates = [
    { server: 'a', uri: 'file:///{path}' },
    { server: 'b', uri: 'file:///docs/{+path}' },
    { server: 'c', uri: 'test://static/resource/{id}' },
    { server: 'd', uri: 'note://{id}' },
  ];
  const resources = [{ server: 'e', uri: 'note://42' }];
  const mapped = mapTemplateUris(templates, resources);
  it.each([
    [
      'rewrites a template whose literal start another server’s extends',
      'a',
      'file:///{path}',
      'airlock://a/file:///{path}',
    ],
    [
      'rewrites the template that extends it',
      'b',
      'file:///docs/{+path}',
      'airlock://b/file:///docs/{+path}',
    ],
    [
      'keeps a template no other server overlaps',
      'c',
      'test://static/resource/{id}',
      'test://static/resource/{id}',
    ],
    [
      'rewrites a template that matches another server’s resource',
      'd',
      'note://{id}',
      'airlock://d/note://{id}',
    ],
  ])('%s', (_label, server, uri, expected) => {
    expect(mapped.get(uriKey(server, uri))).toBe(expected);
  });

  it('keeps a template that matches only its own server’s resource', () => {
    const own = mapTemplateUris(
      [{ server: 'a', uri: 'x://{id}' }],
      [{ server: 'a', uri: 'x://1' }],
    );
    expect(own.get(uriKey('a', 'x://{id}'))).toBe('x://{id}');
  });
});
