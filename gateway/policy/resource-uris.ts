// Resource URIs across upstreams: kept as they are when unambiguous, else prefixed `airlock://<server>/`.
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';

/**
 * A rewritten URI is `airlock://<server, percent-encoded>/<original URI, unchanged>`. The original
 * is appended as written (not encoded) so that a rewritten resource template is still a template
 * whose variables expand the same way.
 */
export const REWRITE_PREFIX = 'airlock://';

export interface ServerUri {
  readonly server: string;
  readonly uri: string;
}

export function rewriteUri(server: string, uri: string): string {
  return `${REWRITE_PREFIX}${encodeURIComponent(server)}/${uri}`;
}

/** The server and original URI inside a rewritten URI, or undefined for any other URI. */
export function parseRewrittenUri(
  uri: string,
): { server: string; upstreamUri: string } | undefined {
  if (!uri.startsWith(REWRITE_PREFIX)) return undefined;
  const rest = uri.slice(REWRITE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  try {
    return { server: decodeURIComponent(rest.slice(0, slash)), upstreamUri: rest.slice(slash + 1) };
  } catch {
    return undefined;
  }
}

/** The scheme of a URI in lower case (`file`, `test`), or undefined when it has none. */
export function uriScheme(uri: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
}

/**
 * Exposed URI per (server, uri) key `server\0uri`. A URI listed by two servers, or one that
 * already looks rewritten, is rewritten for every server that lists it.
 */
export function mapResourceUris(resources: readonly ServerUri[]): Map<string, string> {
  const owners = ownersByUri(resources);
  const mapped = new Map<string, string>();
  for (const { server, uri } of resources) {
    const shared = (owners.get(uri)?.size ?? 0) > 1 || uri.startsWith(REWRITE_PREFIX);
    mapped.set(uriKey(server, uri), shared ? rewriteUri(server, uri) : uri);
  }
  return mapped;
}

/**
 * Exposed template per (server, template) key. A template is rewritten when another server could
 * claim the URIs it expands to: a template of another server with an overlapping literal start
 * (`file:///{a}` and `file:///{+b}`), or a resource of another server that it matches.
 */
export function mapTemplateUris(
  templates: readonly ServerUri[],
  resources: readonly ServerUri[],
): Map<string, string> {
  const mapped = new Map<string, string>();
  for (const { server, uri } of templates) {
    const start = literalStart(uri);
    const overlapsTemplate = templates.some(
      (other) =>
        other.server !== server &&
        (literalStart(other.uri).startsWith(start) || start.startsWith(literalStart(other.uri))),
    );
    const matcher = templateMatcher(uri);
    const matchesResource = resources.some(
      (other) => other.server !== server && matcher?.match(other.uri) != null,
    );
    const rewrite = overlapsTemplate || matchesResource || uri.startsWith(REWRITE_PREFIX);
    mapped.set(uriKey(server, uri), rewrite ? rewriteUri(server, uri) : uri);
  }
  return mapped;
}

export function uriKey(server: string, uri: string): string {
  return `${server}\0${uri}`;
}

/** A matcher for a template, or undefined when the upstream sent one the SDK cannot parse. */
export function templateMatcher(template: string): UriTemplate | undefined {
  try {
    return new UriTemplate(template);
  } catch {
    return undefined;
  }
}

function literalStart(template: string): string {
  const brace = template.indexOf('{');
  return brace === -1 ? template : template.slice(0, brace);
}

function ownersByUri(entries: readonly ServerUri[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const { server, uri } of entries) {
    const set = owners.get(uri) ?? new Set<string>();
    set.add(server);
    owners.set(uri, set);
  }
  return owners;
}
