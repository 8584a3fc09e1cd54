// The gateway's configuration once validated: what mcp.json and the gateway sections of app.yaml mean.

/** Where a value for an env variable or header comes from; resolved only when a server starts. */
export type ValueSource =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'secret'; readonly name: string };

/** Airlock's `sandbox` block; kept as written for the sandbox launchers. */
export interface SandboxSpec {
  readonly type: 'auto' | 'bwrap' | 'docker' | 'none';
  readonly image?: string;
  readonly allowWrite: readonly string[];
  readonly allowRead: readonly string[];
}

export interface StdioServerSpec {
  readonly name: string;
  readonly transport: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, ValueSource>>;
  readonly cwd?: string;
  readonly sandbox?: SandboxSpec;
  /** Written `"disabled": true` (Claude Desktop style): kept in the file, not started. */
  readonly disabled: boolean;
}

export interface RemoteServerSpec {
  readonly name: string;
  readonly transport: 'sse' | 'streamable-http';
  readonly url: string;
  readonly headers: Readonly<Record<string, ValueSource>>;
  readonly disabled: boolean;
}

export type ServerSpec = StdioServerSpec | RemoteServerSpec;

/** `toolGroups[]`: a named set of tools, per server `*` (all) or a list. */
export interface ToolGroup {
  readonly name: string;
  readonly services: Readonly<Record<string, '*' | readonly string[]>>;
}

/** MCPX permission rule: default-allow with a block list, or default-block with an allow list (of group names). */
export type PermissionRule =
  | { readonly type: 'default-allow'; readonly block: readonly string[] }
  | { readonly type: 'default-block'; readonly allow: readonly string[] };

export interface Permissions {
  readonly default: PermissionRule;
  readonly consumers: Readonly<Record<string, PermissionRule>>;
}

export interface AuthConfig {
  readonly enabled: boolean;
  /** Header carrying the API key besides `x-lunar-api-key` and `Authorization: Bearer`. */
  readonly header: string;
  /** consumer → key hash (`sha256:<hex>`); the key itself is never stored. */
  readonly keys: Readonly<Record<string, string>>;
}

export interface ChildTool {
  readonly name: string;
  readonly description?: { readonly action: 'append' | 'rewrite'; readonly text: string };
  /** Fixed parameters: applied to every call and described in the schema. */
  readonly overrideParams: Readonly<Record<string, { readonly value: unknown }>>;
}

export interface ToolExtension {
  readonly childTools: readonly ChildTool[];
  /** Hide the parent tool, keeping only its children. */
  readonly hideParent: boolean;
}

export type NamingMode = 'prefix' | 'conditional' | 'none';

export interface GatewayListen {
  readonly mcp: string; // host:port, default 127.0.0.1:9000
  readonly dashboard: string; // default 127.0.0.1:5173
  readonly metrics: string; // default 127.0.0.1:3000
}

export interface GatewaySettings {
  readonly permissions: Permissions;
  readonly toolGroups: readonly ToolGroup[];
  readonly auth: AuthConfig;
  /** server → tool → extension */
  readonly toolExtensions: Readonly<Record<string, Readonly<Record<string, ToolExtension>>>>;
  /** server → tools disabled for everyone (`*` disables the whole server's tools). */
  readonly disabledTools: Readonly<Record<string, '*' | readonly string[]>>;
  readonly naming: NamingMode;
  /** Extra allowed Origin values for browser clients (besides loopback origins). */
  readonly allowedOrigins: readonly string[];
  readonly listen: GatewayListen;
}

export interface GatewayConfig {
  readonly servers: Readonly<Record<string, ServerSpec>>;
  readonly settings: GatewaySettings;
}
