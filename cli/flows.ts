// `airlock flows validate [FILES…]` and `airlock flows test --server S METHOD URL`: the flow language from a shell.
import { readFile } from 'node:fs/promises';
import { readConfigFiles } from '../egress/flows-directory.ts';
import { type CompileResult, compileFlowSources, type FlowSource } from '../flows/compile.ts';
import type { FlowConfigError } from '../flows/errors.ts';
import { evaluate } from '../flows/evaluate.ts';
import { normaliseHost } from '../flows/host.ts';
import type { Decision, EvaluateOptions, RequestFacts } from '../flows/types.ts';
import { DEFAULT_PORTS } from '../flows/url-pattern.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

const USAGE = `usage: airlock flows validate [--config DIR] [FILES…]
       airlock flows test --server S [--config DIR] [--mode enforce|report] [--default deny|allow] METHOD URL
`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'validate') return validate(rest);
  if (sub === 'test') return test(rest);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  return usage(sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
}

async function validate(args: string[]): Promise<number> {
  const parsed = parseCommandLine(args, directoryOptions, true);
  if (!parsed.ok) return usage(parsed.error);
  const sources = await loadSources(parsed.value.positionals, parsed.value.values);
  if (!sources.ok) return fail(sources.error);
  const result = compileFlowSources(sources.files);
  printDiagnostics(result);
  if (!result.ok) {
    process.stdout.write(`${result.errors.length} error(s) in ${sources.files.length} file(s)\n`);
    return 1;
  }
  const names = result.flows.names;
  process.stdout.write(
    `${sources.files.length} file(s) valid: ${names.length} flow(s) (${names.join(', ')}), ` +
      `${result.flows.patternCount} url pattern(s), ${result.warnings.length} warning(s)\n`,
  );
  return 0;
}

async function test(args: string[]): Promise<number> {
  const options = {
    ...directoryOptions,
    server: { type: 'string' },
    mode: { type: 'string', default: 'enforce' },
    default: { type: 'string', default: 'deny' },
  } as const;
  const parsed = parseCommandLine(args, options, true);
  if (!parsed.ok) return usage(parsed.error);
  const { values, positionals } = parsed.value;
  const [method, url, extra] = positionals;
  if (values.server === undefined) return usage('--server is required');
  if (method === undefined || url === undefined || extra !== undefined)
    return usage('expected METHOD URL');
  if (values.mode !== 'enforce' && values.mode !== 'report')
    return usage('--mode must be enforce or report');
  if (values.default !== 'deny' && values.default !== 'allow')
    return usage('--default must be deny or allow');
  const facts = factsFromUrl(values.server, method, url);
  if (!facts.ok) return usage(facts.error);

  const sources = await loadSources([], values);
  if (!sources.ok) return fail(sources.error);
  const result = compileFlowSources(sources.files);
  if (!result.ok) {
    printDiagnostics(result);
    return 1;
  }
  const evaluateOptions: EvaluateOptions = { mode: values.mode, default: values.default };
  const plain = evaluate(result.flows, facts.tunnel ?? facts.intercepted, evaluateOptions);
  if (facts.tunnel) process.stdout.write('as a CONNECT tunnel (no TLS interception):\n');
  process.stdout.write(formatDecision(plain, facts.tunnel ? '  ' : ''));
  if (facts.tunnel) {
    const seen = evaluate(result.flows, facts.intercepted, evaluateOptions);
    process.stdout.write(
      `with TLS interception (path, method and headers visible):\n${formatDecision(seen, '  ')}`,
    );
  }
  return 0;
}

interface UrlFacts {
  readonly ok: true;
  /** What the egress sees of an https request without interception; undefined for http. */
  readonly tunnel: RequestFacts | undefined;
  readonly intercepted: RequestFacts;
}

/** Builds the facts as the egress would: normalised host, default port, path without query. */
export function factsFromUrl(
  server: string,
  method: string,
  raw: string,
): UrlFacts | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: `'${raw}' is not an absolute URL` };
  }
  const scheme =
    url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  if (!scheme) return { ok: false, error: `scheme ${url.protocol} is not http or https` };
  if (url.username !== '' || url.password !== '')
    return { ok: false, error: 'userinfo is not allowed' };
  const host = normaliseHost(url.hostname);
  if (!host.ok) return { ok: false, error: host.reason };
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  const intercepted: RequestFacts = {
    server,
    scheme,
    host: host.host,
    port,
    method: method.toUpperCase(),
    path: url.pathname,
    headers: {},
  };
  const tunnel =
    scheme === 'https'
      ? { ...intercepted, method: undefined, path: undefined, headers: undefined }
      : undefined;
  return { ok: true, tunnel, intercepted };
}

function formatDecision(decision: Decision, indent: string): string {
  const lines = [
    ['decision', decision.decision],
    ['flow', decision.flow ?? '(none: egress default)'],
    ['processor', decision.processor ?? '-'],
    ['reason', decision.reason],
  ];
  if (decision.response) lines.push(['status', String(decision.response.status)]);
  return lines.map(([k, v]) => `${indent}${`${k}:`.padEnd(11)}${v}\n`).join('');
}

async function loadSources(
  files: readonly string[],
  values: { config?: string | undefined; data?: string | undefined },
): Promise<{ ok: true; files: FlowSource[] } | { ok: false; error: string }> {
  if (files.length === 0) {
    const configDir = directoriesFrom(values).configDir;
    return { ok: true, files: [...(await readConfigFiles(configDir)).flows] };
  }
  const out: FlowSource[] = [];
  for (const file of files) {
    try {
      out.push({ file, text: await readFile(file, 'utf8') });
    } catch (error) {
      return {
        ok: false,
        error: `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`,
      };
    }
  }
  return { ok: true, files: out };
}

function printDiagnostics(result: CompileResult): void {
  const all: FlowConfigError[] = [...(result.ok ? [] : result.errors), ...result.warnings];
  for (const d of all) {
    const prefix = `${d.file}:${d.line}:${d.column}: ${d.field === '' ? '(document)' : d.field}: `;
    process.stdout.write(`${prefix}${d.severity === 'warning' ? 'warning: ' : ''}${d.detail}\n`);
  }
}

function usage(problem: string): number {
  process.stderr.write(`airlock flows: ${problem}\n${USAGE}`);
  return 2;
}

function fail(problem: string): number {
  process.stderr.write(`airlock flows: ${problem}\n`);
  return 1;
}
