// Filter criteria (urls, methods, headers, servers): built from a flow file once, matched purely per request.
import { type Diagnostics, readStringList } from './diagnostics.ts';
import type { YamlPath } from './errors.ts';
import { compileHeaderRule, type HeaderRule, headerRuleHolds } from './header-rule.ts';
import type { RequestFacts } from './types.ts';
import { buildUrlIndex, type UrlIndex } from './url-index.ts';
import { parseUrlPattern, type UrlPattern } from './url-pattern.ts';

export interface Criteria {
  /** Who owns these criteria, for reasons: a Filter's name or "the filter of flow X". */
  readonly owner: string;
  /** Undefined: any URL. */
  readonly urls: UrlIndex | undefined;
  readonly methods: ReadonlySet<string> | undefined;
  readonly headers: readonly HeaderRule[];
  readonly servers: ReadonlySet<string> | undefined;
}

export type CriteriaOutcome =
  | { readonly kind: 'hit'; readonly reason: string }
  | { readonly kind: 'miss'; readonly reason: string }
  /** Visible criteria hit, but one needs what a tunnel without interception hides. */
  | { readonly kind: 'undecidable'; readonly reason: string };

export const INTERCEPTION_WARNING =
  'only decidable with TLS interception; without it such requests are denied';

const METHOD = /^[A-Za-z]+$/;

/** Accumulates criteria from parameters or filter keys; `build()` returns the compiled criteria. */
export class CriteriaBuilder {
  readonly #owner: string;
  readonly #diag: Diagnostics;
  #urls: UrlPattern[] | undefined;
  #urlsSeeHttps = false;
  #methods: Set<string> | undefined;
  #methodsPath: YamlPath | undefined;
  #headers: HeaderRule[] = [];
  #headersPath: YamlPath | undefined;
  #servers: Set<string> | undefined;

  constructor(owner: string, diag: Diagnostics) {
    this.#owner = owner;
    this.#diag = diag;
  }

  addUrls(value: unknown, path: YamlPath, single: boolean): void {
    const texts = readStringList(value, path, this.#diag, single);
    if (!texts) return;
    this.#urls ??= [];
    for (const [index, text] of texts.entries()) {
      const at = typeof value === 'string' ? path : [...path, index];
      const parsed = parseUrlPattern(text);
      if (!parsed.ok) {
        this.#diag.error('bad-pattern', at, `bad url pattern '${text}': ${parsed.reason}`);
        continue;
      }
      const https = parsed.pattern.endpoints.some((e) => e.scheme === 'https');
      if (https) this.#urlsSeeHttps = true;
      if (https && parsed.pattern.path) {
        this.#diag.warn(
          'needs-interception',
          at,
          `the path in '${text}' is ${INTERCEPTION_WARNING}`,
        );
      }
      this.#urls.push(parsed.pattern);
    }
  }

  addMethods(value: unknown, path: YamlPath, single: boolean): void {
    const methods = readStringList(value, path, this.#diag, single);
    if (!methods) return;
    this.#methods ??= new Set();
    this.#methodsPath ??= path;
    for (const [index, method] of methods.entries()) {
      if (METHOD.test(method)) this.#methods.add(method.toUpperCase());
      else
        this.#diag.error(
          'wrong-type',
          typeof value === 'string' ? path : [...path, index],
          `'${method}' is not an HTTP method`,
        );
    }
  }

  /** `single`: one `{key, value, operation}` mapping instead of a list of them. */
  addHeaders(value: unknown, path: YamlPath, single: boolean): void {
    const items = single && !Array.isArray(value) ? [value] : value;
    if (!Array.isArray(items) || items.length === 0) {
      this.#diag.error('wrong-type', path, 'expected a list of {key, value, operation} mappings');
      return;
    }
    this.#headersPath ??= path;
    for (const [index, item] of items.entries()) {
      const rule = compileHeaderRule(
        item,
        single && !Array.isArray(value) ? path : [...path, index],
        this.#diag,
      );
      if (rule) this.#headers.push(rule);
    }
  }

  addServers(value: unknown, path: YamlPath): void {
    const servers = readStringList(value, path, this.#diag, false);
    if (!servers) return;
    this.#servers ??= new Set();
    for (const server of servers) this.#servers.add(server);
  }

  build(): Criteria {
    // Method and headers of an https request are hidden in a tunnel unless intercepted.
    const seesHttps = this.#urls === undefined || this.#urlsSeeHttps;
    if (seesHttps && this.#methodsPath) {
      this.#diag.warn(
        'needs-interception',
        this.#methodsPath,
        `a method rule on https requests is ${INTERCEPTION_WARNING}`,
      );
    }
    if (seesHttps && this.#headersPath) {
      this.#diag.warn(
        'needs-interception',
        this.#headersPath,
        `a header rule on https requests is ${INTERCEPTION_WARNING}`,
      );
    }
    return {
      owner: this.#owner,
      urls: this.#urls ? buildUrlIndex(this.#urls) : undefined,
      methods: this.#methods,
      headers: this.#headers,
      servers: this.#servers,
    };
  }
}

/** AND across criteria, OR within one list. Visible misses win over what cannot be seen. */
export function matchCriteria(criteria: Criteria, facts: RequestFacts): CriteriaOutcome {
  const owner = criteria.owner;
  const matched: string[] = [];
  const hidden: string[] = [];
  if (criteria.servers) {
    if (!criteria.servers.has(facts.server)) {
      return miss(`server ${facts.server} is not among the servers of ${owner}`);
    }
    matched.push(`server ${facts.server}`);
  }
  if (criteria.urls) {
    const found = criteria.urls.lookup(facts.scheme, facts.host, facts.port, facts.path);
    if (found.kind === 'miss') {
      return miss(`no url pattern of ${owner} matches ${describeTarget(facts)}`);
    }
    if (found.kind === 'needs-path') hidden.push('path');
    else matched.push(found.pattern);
  }
  if (criteria.methods) {
    if (facts.method === undefined) hidden.push('method');
    else if (!criteria.methods.has(facts.method)) {
      return miss(
        `method ${facts.method} is not among ${[...criteria.methods].join(', ')} of ${owner}`,
      );
    } else matched.push(`method ${facts.method}`);
  }
  if (criteria.headers.length > 0) {
    if (facts.headers === undefined) hidden.push('headers');
    else {
      for (const rule of criteria.headers) {
        if (!headerRuleHolds(rule, facts.headers))
          return miss(`${rule.description} does not hold in ${owner}`);
      }
      matched.push(criteria.headers.map((r) => r.description).join(' and '));
    }
  }
  if (hidden.length > 0) {
    return {
      kind: 'undecidable',
      reason: `rule in ${owner} needs the ${hidden.join(' and ')} of an HTTPS request, which is only visible with TLS interception`,
    };
  }
  if (matched.length === 0)
    return { kind: 'hit', reason: `${owner} has no criteria, so every request matches` };
  return { kind: 'hit', reason: `${matched.join(' and ')} matched in ${owner}` };
}

/** The outcome of matchCriteria without building reasons: for flow filters, checked for every flow. */
export function criteriaOutcomeKind(
  criteria: Criteria,
  facts: RequestFacts,
): CriteriaOutcome['kind'] {
  if (criteria.servers && !criteria.servers.has(facts.server)) return 'miss';
  let hidden = false;
  if (criteria.urls) {
    const found = criteria.urls.lookup(facts.scheme, facts.host, facts.port, facts.path);
    if (found.kind === 'miss') return 'miss';
    hidden = found.kind === 'needs-path';
  }
  if (criteria.methods) {
    if (facts.method === undefined) hidden = true;
    else if (!criteria.methods.has(facts.method)) return 'miss';
  }
  if (criteria.headers.length > 0) {
    const headers = facts.headers;
    if (headers === undefined) hidden = true;
    else if (!criteria.headers.every((rule) => headerRuleHolds(rule, headers))) return 'miss';
  }
  return hidden ? 'undecidable' : 'hit';
}

/** `host:port` plus the path when visible: what a pattern was compared with. */
export function describeTarget(facts: RequestFacts): string {
  const host = facts.host.includes(':') ? `[${facts.host}]` : facts.host;
  return `${host}:${facts.port}${facts.path ?? ''}`;
}

function miss(reason: string): CriteriaOutcome {
  return { kind: 'miss', reason };
}
