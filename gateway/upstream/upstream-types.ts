// What the rest of the gateway sees of an upstream: its state, its catalog, and the calls it accepts.
import type {
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptResult,
  Implementation,
  LoggingLevel,
  LoggingMessageNotification,
  Progress,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerSpec } from '../config/types.ts';

export type UpstreamPhase = 'starting' | 'ready' | 'crashed' | 'backing-off' | 'stopped';

export interface UpstreamState {
  readonly phase: UpstreamPhase;
  /** Why it last failed (exit, handshake error, failed ping, with the last stderr line); never a secret value. */
  readonly lastError: string | null;
  /** Restarts after crashes since the upstream was created. */
  readonly restarts: number;
  /** ms since the epoch when this phase began. */
  readonly since: number;
  /** When backing off: ms since the epoch of the next attempt. */
  readonly retryAt?: number;
  readonly pid?: number;
}

export interface UpstreamCatalog {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly capabilities: ServerCapabilities;
  readonly serverInfo: Implementation | undefined;
  readonly instructions: string | undefined;
}

export const emptyCatalog: UpstreamCatalog = {
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  capabilities: {},
  serverInfo: undefined,
  instructions: undefined,
};

/** A server→client request relayed to the session that caused it: sampling, elicitation, roots. */
export interface ServerRequest {
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/** Who asked for a call, and where its side traffic goes. */
export interface CallContext {
  /** Aborting sends `notifications/cancelled` upstream and rejects the call. */
  readonly signal: AbortSignal;
  readonly sessionId: string;
  /** Progress of this call (the upstream's token is the gateway's own; map it to the agent's). */
  onProgress?(progress: Progress): void;
  /** Answer a sampling / elicitation / roots request on behalf of this call's session. */
  onServerRequest?(request: ServerRequest): Promise<Record<string, unknown>>;
  /** `notifications/message` the upstream sent during this call. */
  onLog?(params: LoggingMessageNotification['params']): void;
}

export interface Upstream {
  readonly name: string;
  readonly spec: ServerSpec;
  readonly state: UpstreamState;
  readonly catalog: UpstreamCatalog;
  /** Forwarded as is: the result's structuredContent is not checked against the tool's outputSchema. */
  callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    ctx: CallContext,
  ): Promise<CallToolResult>;
  getPrompt(
    name: string,
    args: Record<string, string> | undefined,
    ctx: CallContext,
  ): Promise<GetPromptResult>;
  readResource(uri: string, ctx: CallContext): Promise<ReadResourceResult>;
  complete(params: CompleteRequest['params'], ctx: CallContext): Promise<CompleteResult>;
  setLoggingLevel(level: LoggingLevel): Promise<void>;
  /** One upstream subscription per URI, shared by all sessions (the caller counts its subscribers);
   *  kept across restarts and re-initialisations. Updates arrive through `onResourceUpdated`. */
  subscribeResource(uri: string): Promise<void>;
  unsubscribeResource(uri: string): Promise<void>;
  /** Resolves when the upstream is ready, or rejects with its last error once it is not starting any more. */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Stops supervision and the server (its whole process group). */
  stop(): Promise<void>;
}
