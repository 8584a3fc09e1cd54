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
  /** ms since the epoch of each session's last request. */
  readonly #lastSeen = new Map<string, number>();
  readonly #onClosed: (state: SessionState) => void;

  constructor(onClosed: (state: SessionState) => void) {
    this.#onClosed = onClosed;
  }

  /** The session, marked as active now (every lookup is a request on it). */
  get(id: string, now = Date.now()): OpenSession | undefined {
    const session = this.#sessions.get(id);
    if (session) this.#lastSeen.set(id, now);
    return session;
  }

  add(session: OpenSession, now = Date.now()): void {
    this.#sessions.set(session.state.id, session);
    this.#lastSeen.set(session.state.id, now);
  }

  /**
   * Closes Streamable HTTP sessions without a request for `idleMs`: a client that vanished without
   * DELETE must not hold a session forever. A client that comes back gets 404 and re-initializes,
   * as the spec expects. Legacy SSE sessions end with their stream instead.
   */
  async closeIdle(idleMs: number, now = Date.now()): Promise<string[]> {
    const idle = [...this.#sessions.values()].filter(
      (session) =>
        session.state.transport === 'streamable-http' &&
        now - (this.#lastSeen.get(session.state.id) ?? now) >= idleMs,
    );
    await Promise.allSettled(idle.map((session) => session.server.close()));
    for (const session of idle) this.remove(session.state.id);
    return idle.map((session) => session.state.id);
  }

  /** Called once per session, whichever side closed it (DELETE, SSE disconnect, shutdown). */
  remove(id: string): void {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    this.#lastSeen.delete(id);
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
