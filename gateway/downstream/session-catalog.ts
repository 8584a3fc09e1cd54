// What one session sees and may reach: the consumer's catalog view, as the session server consumes it.
import type {
  CompleteRequest,
  Prompt,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';

/** Where an exposed name leads, or why it leads nowhere (the reason goes to the audit log, not the agent). */
export type Target =
  | {
      readonly ok: true;
      readonly server: string;
      /** The name (or URI) the upstream knows. */
      readonly upstreamName: string;
      /** Arguments as the upstream must receive them (fixed parameters applied). */
      readonly applyArguments: (args: Readonly<Record<string, unknown>>) => Record<string, unknown>;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Set when the name exists but this consumer may not use it (for the audit row and metrics). */
      readonly server?: string;
      readonly upstreamName?: string;
    };

/** Per-kind fingerprints, so a change notifies only the lists that changed. */
export interface ViewFingerprints {
  readonly tools: string;
  readonly prompts: string;
  readonly resources: string;
}

/** A consumer's view at one moment; rebuilt on reload and upstream catalog changes, never mutated. */
export interface SessionCatalog {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly fingerprints: ViewFingerprints;
  tool(exposedName: string): Target;
  prompt(exposedName: string): Target;
  /** A downstream resource URI → the server and its own URI. */
  resource(uri: string): Target;
  /** The servers this view reaches (for logging/setLevel). */
  readonly servers: readonly string[];
  /** A completion reference in exposed names → the server and the reference it knows. */
  completionRef(
    ref: CompleteRequest['params']['ref'],
  ): { server: string; ref: CompleteRequest['params']['ref'] } | undefined;
}
