// What /api/config shows of mcp.json: the specs with every env/header value replaced by where it comes from (pure).
import type { ServerSpec, ValueSource } from '../../config/types.ts';

/** A literal is never shown (it may be a pasted token); env and secret sources show only their names. */
export type ValueView =
  | '[literal]'
  | { readonly fromEnv: string }
  | { readonly fromSecret: string };

export function valueView(source: ValueSource): ValueView {
  if (source.kind === 'env') return { fromEnv: source.name };
  if (source.kind === 'secret') return { fromSecret: source.name };
  return '[literal]';
}

function viewValues(values: Readonly<Record<string, ValueSource>>): Record<string, ValueView> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, valueView(value)]));
}

/** Args and URLs can carry secrets too (`--token=…`, `?key=…`): args are counted, URLs lose query and userinfo. */
export function serverSpecView(spec: ServerSpec): Record<string, unknown> {
  if (spec.transport === 'stdio') {
    return {
      transport: 'stdio',
      command: spec.command,
      args: spec.args.length,
      env: viewValues(spec.env),
      sandbox: spec.sandbox ?? null,
      disabled: spec.disabled,
    };
  }
  return {
    transport: spec.transport,
    url: safeUrl(spec.url),
    headers: viewValues(spec.headers),
    disabled: spec.disabled,
  };
}

function safeUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '[unparsable url]';
  }
}

/** The sandbox a server runs in as configured: its `sandbox.type`, `auto` when unset, `remote` for HTTP servers. */
export function sandboxType(spec: ServerSpec | undefined): string {
  if (spec === undefined) return 'unknown';
  if (spec.transport !== 'stdio') return 'remote';
  return spec.sandbox?.type ?? 'auto';
}
