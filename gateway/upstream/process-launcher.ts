// The plain-process launcher: spawns a stdio server in its own process group and stops the whole group.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { StdioServerSpec } from '../config/types.ts';
import { childEnv } from './child-env.ts';
import type { LaunchedProcess, Launcher, ProcessExit } from './launcher.ts';
import { PipeTransport } from './pipe-transport.ts';
import { processAlive, terminateGroup } from './process-group.ts';
import { createStderrRing } from './stderr-ring.ts';
import { UpstreamError } from './upstream-errors.ts';

export interface ProcessLauncherOptions {
  /** Time between SIGTERM and SIGKILL for the group (default 2 s). */
  readonly graceMs?: number;
  /** Where the basics (PATH, HOME, …) are inherited from; the gateway's env by default. */
  readonly parentEnv?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Lines of stderr kept for "last error" (default 64). */
  readonly stderrLines?: number;
}

export function createProcessLauncher(options: ProcessLauncherOptions = {}): Launcher {
  const graceMs = options.graceMs ?? 2_000;
  return {
    async launch(spec: StdioServerSpec, env): Promise<LaunchedProcess> {
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: childEnv(env, options.parentEnv ?? process.env),
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so stop() can signal everything it started (npx → node → …).
        detached: true,
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (error) =>
          reject(
            new UpstreamError(
              'UPSTREAM_START_FAILED',
              spec.name,
              `upstream server '${spec.name}' could not be started: ${error.message}`,
              { cause: error },
            ),
          ),
        );
      });
      const pid = child.pid;
      const exited = new Promise<ProcessExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      const stderr = createStderrRing(options.stderrLines, Object.values(env));
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        for (const line of stderr.push(chunk)) {
          options.logger?.debug({ server: spec.name, stream: 'stderr' }, line);
        }
      });
      // A write to a dead child raises EPIPE on stdin; the exit event is what reports the crash.
      child.stdin.on('error', () => {});
      const transport = new PipeTransport(child.stdout, child.stdin);
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> => {
        stopping ??= (async () => {
          child.stdin.end();
          if (pid === undefined) return;
          const gone = await terminateGroup(pid, graceMs);
          if (!gone || processAlive(pid)) {
            options.logger?.warn(
              { server: spec.name, pid },
              'process group still alive after SIGKILL',
            );
          }
          child.stdout.destroy();
          child.stderr.destroy();
        })();
        return stopping;
      };
      return { transport, pid, exited, stop, stderrTail: () => stderr.lines() };
    },
  };
}
