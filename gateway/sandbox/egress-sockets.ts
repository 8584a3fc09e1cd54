// Wraps a launcher so each server's egress socket exists exactly while that server runs.
import type { Launcher } from '../upstream/launcher.ts';

/** The egress's per-server socket functions (the in-process egress's in `airlock up`). */
export interface EgressSockets {
  openServerSocket(server: string): Promise<string>;
  closeServerSocket(server: string): Promise<void>;
}

export function withEgressSockets(inner: Launcher, sockets: EgressSockets): Launcher {
  // Per server, the last close: a restart must not open before the previous close finished.
  const closing = new Map<string, Promise<void>>();
  return {
    async launch(spec, env) {
      await closing.get(spec.name);
      await sockets.openServerSocket(spec.name);
      let launched: Awaited<ReturnType<Launcher['launch']>>;
      try {
        launched = await inner.launch(spec, env);
      } catch (error) {
        await sockets.closeServerSocket(spec.name);
        throw error;
      }
      const closed = launched.exited
        .then(() => sockets.closeServerSocket(spec.name))
        .catch(() => {});
      closing.set(spec.name, closed);
      return launched;
    },
  };
}
