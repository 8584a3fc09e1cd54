// Builds a connection's Link from a server spec: a launched stdio process or a remote HTTP/SSE endpoint.
import type { RemoteServerSpec, StdioServerSpec } from '../config/types.ts';
import type { Link } from './connection.ts';
import { describeExit, type Launcher } from './launcher.ts';
import { connectRemote, type RemoteConnectOptions } from './remote-connector.ts';

/** After stdout closes, how long to wait for the exit status so the error can name it. */
const exitWaitMs = 200;

/** How long closing waits for a remote server to acknowledge the end of its session. */
const terminateWaitMs = 1_000;

export async function stdioLink(
  spec: StdioServerSpec,
  env: Readonly<Record<string, string>>,
  launcher: Launcher,
): Promise<Link> {
  const launched = await launcher.launch(spec, env);
  const { transport } = launched;
  const closedOwnStdout = new Promise<string>((resolve) => {
    const previous = transport.onclose;
    // Protocol.connect() chains to whatever onclose was set before it; this runs first.
    transport.onclose = () => {
      previous?.();
      const timer = setTimeout(() => resolve('closed its stdout'), exitWaitMs);
      launched.exited.then((exit) => {
        clearTimeout(timer);
        resolve(describeExit(exit));
      });
    };
  });
  // The direct child's exit is the crash, even if a grandchild still holds the pipes open.
  const lost = Promise.race([launched.exited.then(describeExit), closedOwnStdout]);
  return {
    transport,
    pid: launched.pid,
    lost,
    isSessionGone: () => false,
    isConnectionLost: () => false,
    stderrTail: () => launched.stderrTail(),
    close: async () => {
      await transport.close().catch(() => {});
      await launched.stop();
    },
  };
}

export function remoteLink(
  spec: RemoteServerSpec,
  headers: Readonly<Record<string, string>>,
  options: RemoteConnectOptions,
): Link {
  const remote = connectRemote(spec, headers, options);
  let closing = false;
  const lost = new Promise<string>((resolve) => {
    const previous = remote.transport.onclose;
    remote.transport.onclose = () => {
      previous?.();
      if (!closing) resolve('closed the connection');
    };
  });
  return {
    transport: remote.transport,
    lost,
    isSessionGone: remote.isSessionGone,
    isConnectionLost: remote.isConnectionLost,
    stderrTail: () => [],
    close: async () => {
      closing = true;
      // Tell a streamable-HTTP server the session is over (best effort, bounded).
      const transport = remote.transport as { terminateSession?: () => Promise<void> };
      if (transport.terminateSession) {
        await Promise.race([
          transport.terminateSession().catch(() => {}),
          new Promise((resolve) => setTimeout(resolve, terminateWaitMs)),
        ]);
      }
      await remote.transport.close().catch(() => {});
    },
  };
}
