// The replaceable launch step: turns a stdio server spec into a running process with an MCP transport.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { StdioServerSpec } from '../config/types.ts';

/** How a launched process ended: exit code, or the signal that killed it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LaunchedProcess {
  /** The server's stdio as an SDK transport; not started yet (the SDK `Client` starts it). */
  readonly transport: Transport;
  readonly pid: number | undefined;
  /** The last lines the server wrote to stderr, oldest first (for "last error"). */
  stderrTail(): readonly string[];
  /** Close stdin, SIGTERM the whole process group, SIGKILL after the grace period; resolves when the group is gone. */
  stop(): Promise<void>;
  /** Settles once, when the direct child exits (never rejects). */
  readonly exited: Promise<ProcessExit>;
}

/** Plain process today; bwrap and docker sandboxes implement the same interface. */
export interface Launcher {
  /** `env` is the server's resolved environment (secrets included): it goes to the child only, never to logs. */
  launch(spec: StdioServerSpec, env: Readonly<Record<string, string>>): Promise<LaunchedProcess>;
}

/** "exited (code 1)" / "was killed by SIGKILL": how the crash error and the state's lastError describe an exit. */
export function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited (code ${exit.code ?? 'unknown'})`;
}
