// Builds the egress configuration from its files and reloads it: validate everything, then swap, or keep the last good.
import { compileFlowSources } from '../flows/compile.ts';
import type { FlowConfigError } from '../flows/errors.ts';
import { defaultEgressConfig, type EgressConfig, parseEgressConfig } from './egress-config.ts';
import { type ConfigFiles, readConfigFiles } from './flows-directory.ts';

type CompiledFlows = Extract<ReturnType<typeof compileFlowSources>, { ok: true }>['flows'];

export interface LoadedConfiguration {
  readonly egress: EgressConfig;
  readonly flows: CompiledFlows;
  /** Non-fatal findings (e.g. a rule that needs TLS interception), already formatted as file:line. */
  readonly warnings: readonly string[];
  readonly fingerprint: string;
}

export type BuildResult =
  | { readonly ok: true; readonly configuration: LoadedConfiguration }
  | { readonly ok: false; readonly errors: readonly string[] };

function describe(error: FlowConfigError | Error): string {
  return error.message;
}

/** Pure: the files as read → one consistent configuration, or every error (app.yaml and flows together). */
export function buildConfiguration(files: ConfigFiles): BuildResult {
  const egress = files.app
    ? parseEgressConfig(files.app.file, files.app.text)
    : ({ ok: true, config: defaultEgressConfig() } as const);
  const flows = compileFlowSources(files.flows);
  const errors = [
    ...(egress.ok ? [] : egress.errors.map(describe)),
    ...(flows.ok ? [] : flows.errors.map(describe)),
  ];
  if (!egress.ok || !flows.ok) return { ok: false, errors };
  return {
    ok: true,
    configuration: {
      egress: egress.config,
      flows: flows.flows,
      warnings: flows.warnings.map(describe),
      fingerprint: files.fingerprint,
    },
  };
}

export type ReloadResult =
  | { readonly result: 'success'; readonly configuration: LoadedConfiguration }
  | { readonly result: 'failure'; readonly errors: readonly string[] }
  | { readonly result: 'unchanged' };

export interface ConfigReloaderOptions {
  readonly configDir: string;
  /** The configuration that serves now (loaded at start). */
  readonly initial: LoadedConfiguration;
  /** Makes a new configuration live; throwing counts as a failed reload and keeps the old one. */
  readonly apply: (next: LoadedConfiguration, previous: LoadedConfiguration) => void;
  readonly onResult: (result: Exclude<ReloadResult, { result: 'unchanged' }>) => void;
}

export interface ConfigReloader {
  /** Re-reads the files; swaps only when they changed and are valid. Calls never overlap. */
  reload(): Promise<ReloadResult>;
  current(): LoadedConfiguration;
}

export async function loadConfiguration(configDir: string): Promise<BuildResult> {
  return buildConfiguration(await readConfigFiles(configDir));
}

export function createConfigReloader(options: ConfigReloaderOptions): ConfigReloader {
  let live = options.initial;
  // The last fingerprint looked at, valid or not: a bad file is reported once, not at every poll.
  let seen = options.initial.fingerprint;
  let queue: Promise<unknown> = Promise.resolve();

  async function reloadOnce(): Promise<ReloadResult> {
    const files = await readConfigFiles(options.configDir);
    if (files.fingerprint === seen) return { result: 'unchanged' };
    seen = files.fingerprint;
    const built = buildConfiguration(files);
    let outcome: Exclude<ReloadResult, { result: 'unchanged' }>;
    if (!built.ok) {
      outcome = { result: 'failure', errors: built.errors };
    } else {
      try {
        options.apply(built.configuration, live);
        live = built.configuration;
        outcome = { result: 'success', configuration: built.configuration };
      } catch (error) {
        outcome = {
          result: 'failure',
          errors: [error instanceof Error ? error.message : String(error)],
        };
      }
    }
    options.onResult(outcome);
    return outcome;
  }

  return {
    reload() {
      const next = queue.then(reloadOnce, reloadOnce);
      queue = next.catch(() => undefined);
      return next;
    },
    current: () => live,
  };
}
