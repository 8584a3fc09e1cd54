// Pure checks on an incoming HTTP request before any MCP handling: Host and Origin (DNS-rebinding protection).

/** What the endpoint is bound to and which browser origins were allowed in app.yaml. */
export interface GuardSettings {
  /** The host the endpoint listens on (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`, an address). */
  readonly listenHost: string;
  /** Exact origins (`https://app.example.com`) allowed besides loopback origins. */
  readonly allowedOrigins: readonly string[];
}

export type GuardDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly status: 403; readonly reason: string };

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function unbracket(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Loopback names and addresses: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackName(host: string): boolean {
  const name = unbracket(host).replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The hostname part of a Host header value (`[::1]:9000` → `::1`); undefined when malformed. */
export function hostnameOfHostHeader(value: string): string | undefined {
  try {
    const url = new URL(`http://${value}`);
    if (url.username || url.password || url.pathname !== '/' || url.search) return undefined;
    return unbracket(url.hostname).replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/**
 * The Host header must name this endpoint. Bound to loopback: loopback names only, so a rebinding
 * domain that resolves to 127.0.0.1 is refused. Bound to one other address: that address or loopback.
 * Bound to a wildcard: any Host (auth is mandatory there, and a browser on a rebinding domain has no key).
 */
export function checkHost(hostHeader: string | undefined, settings: GuardSettings): GuardDecision {
  const listen = unbracket(settings.listenHost);
  if (WILDCARD_HOSTS.has(listen)) return { allow: true };
  if (hostHeader === undefined || hostHeader === '') {
    return { allow: false, status: 403, reason: 'missing Host header' };
  }
  const name = hostnameOfHostHeader(hostHeader);
  if (name === undefined) return { allow: false, status: 403, reason: 'malformed Host header' };
  if (isLoopbackName(name) || name === listen) return { allow: true };
  return { allow: false, status: 403, reason: `Host '${name}' is not this endpoint` };
}

/**
 * A request without Origin is not from a browser and passes. A browser origin must be loopback
 * (`http://localhost:…`, `http://127.0.0.1:…`) or listed exactly in `allowedOrigins`.
 */
export function checkOrigin(origin: string | undefined, settings: GuardSettings): GuardDecision {
  if (origin === undefined) return { allow: true };
  if (settings.allowedOrigins.includes(origin)) return { allow: true };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { allow: false, status: 403, reason: `Origin '${origin}' is not allowed` };
  }
  const web = parsed.protocol === 'http:' || parsed.protocol === 'https:';
  if (web && isLoopbackName(parsed.hostname)) return { allow: true };
  return { allow: false, status: 403, reason: `Origin '${origin}' is not allowed` };
}

/** Host first (it says whether the request reached the endpoint it meant to), then Origin. */
export function checkRequest(
  headers: { readonly host?: string | undefined; readonly origin?: string | undefined },
  settings: GuardSettings,
): GuardDecision {
  const host = checkHost(headers.host, settings);
  return host.allow ? checkOrigin(headers.origin, settings) : host;
}
