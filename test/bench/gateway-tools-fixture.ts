// Stdio MCP server with many tools for the tools/list bench: `node gateway-tools-fixture.ts LABEL COUNT`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod';

const label = process.argv[2] ?? 'tools';
const count = Number(process.argv[3] ?? 40);

const server = new McpServer({ name: `bench-${label}`, version: '1.0.0' });
// Realistic size: a sentence of description and two typed parameters, as most community tools have.
for (let i = 0; i < count; i++) {
  server.registerTool(
    `tool_${String(i).padStart(2, '0')}`,
    {
      description: `Tool ${i} of ${label}: looks up an item by id and returns it with a short summary.`,
      inputSchema: { id: z.string().describe('item id'), limit: z.number().optional() },
    },
    ({ id }) => ({ content: [{ type: 'text', text: `${label}/${i}/${id}` }] }),
  );
}
await server.connect(new StdioServerTransport());
