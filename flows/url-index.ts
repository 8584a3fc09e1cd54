// Looks up which URL patterns can match a request: exact hosts in a Map, wildcards by base domain.
import type { Scheme, UrlPattern } from './url-pattern.ts';

export type UrlLookup =
  | { readonly kind: 'hit'; readonly pattern: string }
  /** Host, port and scheme match a pattern that restricts the path, but the path is not visible. */
  | { readonly kind: 'needs-path'; readonly pattern: string }
  | { readonly kind: 'miss' };

interface Bucket {
  /** The first pattern of this host and endpoint that allows any path. */
  anyPath: UrlPattern | undefined;
  byFirstSegment: Map<string, UrlPattern[]>;
  otherPaths: UrlPattern[];
}

/** Host → endpoint (port and scheme as one number) → bucket. The host string from the facts keeps its hash. */
type Table = Map<string, Map<number, Bucket>>;

export interface UrlIndex {
  readonly size: number;
  /** Hosts of the exact patterns, and base domains of the `*.` patterns: what a flow index keys on. */
  readonly exactHosts: readonly string[];
  readonly wildcardBases: readonly string[];
  lookup(scheme: Scheme, host: string, port: number, path: string | undefined): UrlLookup;
}

const MISS: UrlLookup = { kind: 'miss' };

export function buildUrlIndex(patterns: readonly UrlPattern[]): UrlIndex {
  const exact: Table = new Map();
  const wildcard: Table = new Map();
  for (const pattern of patterns) {
    const table = pattern.wildcard ? wildcard : exact;
    let endpoints = table.get(pattern.host);
    if (!endpoints) {
      endpoints = new Map();
      table.set(pattern.host, endpoints);
    }
    for (const { scheme, port } of pattern.endpoints) {
      const key = endpointKey(scheme, port);
      let bucket = endpoints.get(key);
      if (!bucket) {
        bucket = { anyPath: undefined, byFirstSegment: new Map(), otherPaths: [] };
        endpoints.set(key, bucket);
      }
      addToBucket(bucket, pattern);
    }
  }
  return {
    size: patterns.length,
    exactHosts: [...exact.keys()],
    wildcardBases: [...wildcard.keys()],
    lookup(scheme, host, port, path) {
      const key = endpointKey(scheme, port);
      let needsPath: UrlPattern | undefined;
      let bucket = exact.get(host)?.get(key);
      if (bucket) {
        const hit = matchBucket(bucket, path);
        if (hit) return { kind: 'hit', pattern: hit.text };
        if (path === undefined) needsPath = firstPathPattern(bucket);
      }
      if (wildcard.size > 0) {
        // `*.example.com` is keyed by `example.com`: try every proper suffix of the host.
        for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
          bucket = wildcard.get(host.slice(dot + 1))?.get(key);
          if (!bucket) continue;
          const hit = matchBucket(bucket, path);
          if (hit) return { kind: 'hit', pattern: hit.text };
          if (path === undefined) needsPath ??= firstPathPattern(bucket);
        }
      }
      return needsPath ? { kind: 'needs-path', pattern: needsPath.text } : MISS;
    },
  };
}

function matchBucket(bucket: Bucket, path: string | undefined): UrlPattern | undefined {
  if (bucket.anyPath) return bucket.anyPath;
  if (path === undefined) return undefined;
  const candidates = bucket.byFirstSegment.get(firstSegment(path));
  return (
    candidates?.find((p) => p.path?.match(path)) ??
    bucket.otherPaths.find((p) => p.path?.match(path))
  );
}

function firstPathPattern(bucket: Bucket): UrlPattern | undefined {
  return bucket.otherPaths[0] ?? bucket.byFirstSegment.values().next().value?.[0];
}

function addToBucket(bucket: Bucket, pattern: UrlPattern): void {
  if (!pattern.path) {
    bucket.anyPath ??= pattern;
    return;
  }
  const first = pattern.path.firstSegment;
  if (first === undefined) {
    bucket.otherPaths.push(pattern);
    return;
  }
  const list = bucket.byFirstSegment.get(first);
  if (list) list.push(pattern);
  else bucket.byFirstSegment.set(first, [pattern]);
}

function endpointKey(scheme: Scheme, port: number): number {
  return port * 2 + (scheme === 'https' ? 1 : 0);
}

function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}
