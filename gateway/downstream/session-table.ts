// The live downstream sessions of one endpoint, by id, whichever transport carries them.

import type { IncomingHttpHeaders } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { SessionState } from './session-state.ts';

export interface OpenSession {
  readonly state: SessionState;
  readonly server: Server;
  readonly transport: Transport;
}

/** Builds the SDK Server for a new session; the endpoint connects it to the transport. */
export type OpenSessionServer = (state: SessionState, headers: IncomingHttpHeaders) => Server;

export class SessionTable {
  readonly #sessions = new Map<string, OpenSession>();
  readonly #onClosed: (state: SessionState) => void;

  constructor(onClosed: (state: SessionState) => void) {
    this.#onClosed = onClosed;
  }

  get(id: string): OpenSession | undefined {
    return this.#sessions.get(id);
  }

  add(session: OpenSession): void {
    this.#sessions.set(session.state.id, session);
  }

  /** Called once per session, whichever side closed it (DELETE, SSE disconnect, shutdown). */
  remove(id: string): void {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    this.#onClosed(session.state);
  }

  values(): IterableIterator<OpenSession> {
    return this.#sessions.values();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#sessions.values()];
    await Promise.allSettled(all.map((session) => session.server.close()));
    for (const session of all) this.remove(session.state.id);
  }
}
