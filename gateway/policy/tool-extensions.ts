// MCPX tool customization: child tools with rewritten or extended descriptions and fixed parameters.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ChildTool, ToolExtension } from '../config/types.ts';

export interface ExtendedTool {
  /** The name on this server's side of the gateway: the child's name, or the original one. */
  readonly name: string;
  /** The tool the upstream actually runs. */
  readonly upstreamName: string;
  /** What agents are shown (before the gateway's naming is applied). */
  readonly definition: Tool;
  /** Arguments set by the gateway on every call; they override the agent's. */
  readonly fixedArguments: Readonly<Record<string, unknown>>;
}

/**
 * Upstream tools in their order, each followed by its children. A child named like its parent
 * replaces the parent in place (how a description is rewritten without a new name); a child
 * named like another upstream tool, or like an earlier child, is dropped: names stay unique per
 * server and an upstream tool is never shadowed. Extensions of tools the server does not list
 * are ignored.
 */
export function extendTools(
  _server: string,
  tools: readonly Tool[],
  extensions: Readonly<Record<string, ToolExtension>>,
): ExtendedTool[] {
  const upstreamNames = new Set(tools.map((tool) => tool.name));
  const taken = new Set<string>();
  const result: ExtendedTool[] = [];
  for (const tool of tools) {
    if (taken.has(tool.name)) continue;
    const extension = Object.hasOwn(extensions, tool.name) ? extensions[tool.name] : undefined;
    const children = (extension?.childTools ?? []).filter(
      (child) => child.name === tool.name || !upstreamNames.has(child.name),
    );
    const replacesParent = children.some((child) => child.name === tool.name);
    if (!extension?.hideParent && !replacesParent) {
      taken.add(tool.name);
      result.push({
        name: tool.name,
        upstreamName: tool.name,
        definition: tool,
        fixedArguments: {},
      });
    }
    for (const child of children) {
      if (taken.has(child.name)) continue;
      taken.add(child.name);
      result.push(childTool(tool, child));
    }
  }
  return result;
}

/** What the upstream receives: the agent's arguments with the fixed ones laid over them. */
export function applyFixedArguments(
  extended: Pick<ExtendedTool, 'fixedArguments'>,
  args: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  return { ...args, ...extended.fixedArguments };
}

function childTool(parent: Tool, child: ChildTool): ExtendedTool {
  const fixedArguments: Record<string, unknown> = {};
  for (const [param, { value }] of Object.entries(child.overrideParams))
    fixedArguments[param] = value;
  const fixed = Object.keys(fixedArguments);
  const definition: Tool = {
    ...parent,
    name: child.name,
    description: childDescription(parent.description, child, fixedArguments),
    inputSchema: withoutParams(parent.inputSchema, fixed),
  };
  // A parent's title names the parent; a child with its own name should not borrow it.
  if (child.name !== parent.name) delete definition.title;
  return { name: child.name, upstreamName: parent.name, definition, fixedArguments };
}

function childDescription(
  parent: string | undefined,
  child: ChildTool,
  fixedArguments: Readonly<Record<string, unknown>>,
): string | undefined {
  let text = parent;
  if (child.description?.action === 'rewrite') text = child.description.text;
  if (child.description?.action === 'append') text = joinParagraphs(parent, child.description.text);
  const fixed = Object.entries(fixedArguments).map(
    ([param, value]) => `${param} = ${JSON.stringify(value)}`,
  );
  if (fixed.length === 0) return text;
  return joinParagraphs(text, `Fixed by the gateway (not settable): ${fixed.join(', ')}.`);
}

function joinParagraphs(first: string | undefined, second: string): string {
  return first ? `${first}\n\n${second}` : second;
}

/** The schema without the fixed parameters: neither offered nor required. */
function withoutParams(schema: Tool['inputSchema'], fixed: readonly string[]): Tool['inputSchema'] {
  if (fixed.length === 0) return schema;
  const result: Tool['inputSchema'] = { ...schema };
  if (schema.properties) {
    const properties: Record<string, object> = {};
    for (const [param, spec] of Object.entries(schema.properties)) {
      if (!fixed.includes(param)) properties[param] = spec;
    }
    result.properties = properties;
  }
  if (schema.required) {
    const required = schema.required.filter((param) => !fixed.includes(param));
    if (required.length > 0) result.required = required;
    else delete result.required;
  }
  return result;
}
