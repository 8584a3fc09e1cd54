// mcp.json as MCP clients write it: copied configs load unchanged, and each mistake is reported at file:line:column + field.
import { describe, expect, it } from 'vitest';
import { parseMcpConfig } from './mcp-config.ts';

// Claude Desktop's claude_desktop_config.json, as its docs and users write it (tabs, globalShortcut and all).
const claudeDesktop = `{
\t"mcpServers": {
\t\t"filesystem": {
\t\t\t"command": "npx",
\t\t\t"args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop", "/Users/me/Downloads"]
\t\t},
\t\t"github": {
\t\t\t"command": "docker",
\t\t\t"args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
\t\t\t"env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_example" }
\t\t},
\t\t"old-thing": { "command": "uvx", "args": ["mcp-server-fetch"], "disabled": true }
\t},
\t"globalShortcut": "Ctrl+Space"
}
`;

// Claude Code's .mcp.json: "http" for streamable HTTP, "sse", and stdio with "type".
const claudeCode = `{
  "mcpServers": {
    "api": { "type": "http", "url": "https://api.example.com/mcp", "headers": { "Authorization": "Bearer abc" } },
    "events": { "type": "sse", "url": "http://127.0.0.1:7000/sse" },
    "local": { "type": "stdio", "command": "node", "args": ["server.js"], "env": {} }
  }
}`;

// Cline writes approval lists, timeouts and transportType; Lunar MCPX writes fromEnv/fromSecret.
const clineAndMcpx = `{
  "mcpServers": {
    "slack": {
      "command": "npx", "args": ["-y", "@modelcontextprotocol/server-slack"],
      "env": { "SLACK_BOT_TOKEN": { "fromSecret": "SLACK_BOT_TOKEN" }, "SLACK_TEAM_ID": { "fromEnv": "TEAM" }, "PORT": 3000 },
      "disabled": false, "autoApprove": ["list_channels"], "alwaysAllow": [], "timeout": 60,
      "transportType": "stdio", "description": "team chat"
    },
    "remote": { "url": "http://127.0.0.1:7001/sse", "transportType": "sse" },
    "plain": { "url": "http://127.0.0.1:7002/mcp" },
    "boxed": { "command": "node", "sandbox": { "type": "bwrap", "allowWrite": ["/tmp/boxed"] } }
  }
}`;

describe('parseMcpConfig: configs copied from MCP clients', () => {
  it('loads a Claude Desktop config unchanged, without warnings', () => {
    const result = parseMcpConfig('mcp.json', claudeDesktop);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    expect(result.servers.filesystem).toEqual({
      name: 'filesystem',
      transport: 'stdio',
      command: 'npx',
      args: [
        '-y',
        '@modelcontextprotocol/server-filesystem',
        '/Users/me/Desktop',
        '/Users/me/Downloads',
      ],
      env: {},
      disabled: false,
    });
    expect(result.servers.github).toMatchObject({
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: { kind: 'literal', value: 'ghp_example' } },
    });
    expect(result.servers['old-thing']).toMatchObject({ disabled: true, command: 'uvx' });
  });

  it('reads Claude Code remote types: "http" is streamable HTTP', () => {
    const result = parseMcpConfig('.mcp.json', claudeCode);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.servers.api).toEqual({
      name: 'api',
      transport: 'streamable-http',
      url: 'https://api.example.com/mcp',
      headers: { Authorization: { kind: 'literal', value: 'Bearer abc' } },
      disabled: false,
    });
    expect(result.servers.events).toMatchObject({ transport: 'sse' });
    expect(result.servers.local).toMatchObject({ transport: 'stdio', command: 'node' });
  });

  it('ignores client-only fields, honours transportType, reads value sources and the sandbox block', () => {
    const result = parseMcpConfig('mcp.json', clineAndMcpx);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    expect(result.servers.slack).toMatchObject({
      env: {
        SLACK_BOT_TOKEN: { kind: 'secret', name: 'SLACK_BOT_TOKEN' },
        SLACK_TEAM_ID: { kind: 'env', name: 'TEAM' },
        PORT: { kind: 'literal', value: '3000' },
      },
    });
    expect(result.servers.remote).toMatchObject({ transport: 'sse' });
    expect(result.servers.plain).toMatchObject({ transport: 'streamable-http' });
    expect(result.servers.boxed).toMatchObject({
      sandbox: { type: 'bwrap', allowWrite: ['/tmp/boxed'], allowRead: [] },
    });
  });
});

describe('parseMcpConfig: errors name file, line, column and field', () => {
  it.each([
    {
      why: 'a trailing comma',
      text: '{\n  "mcpServers": {\n    "a": { "command": "x" },\n  }\n}',
      problem: 'syntax',
      field: '',
      line: 4,
      column: 3,
    },
    {
      why: 'a missing comma',
      text: '{\n  "mcpServers": {}\n  "x": 1\n}',
      problem: 'syntax',
      field: '',
      line: 3,
      column: 3,
    },
    {
      why: 'a server name unusable in tool names',
      text: '{\n  "mcpServers": {\n    "my server": { "command": "x" }\n  }\n}',
      problem: 'bad-name',
      field: 'mcpServers.my server',
      line: 3,
      column: 18,
    },
    {
      why: 'neither command nor url',
      text: '{"mcpServers": {\n  "a": { "args": [] }\n}}',
      problem: 'missing-field',
      field: 'mcpServers.a',
      line: 2,
      column: 8,
    },
    {
      why: 'both command and url',
      text: '{"mcpServers": {\n  "a": {\n    "url": "http://127.0.0.1:1/mcp",\n    "command": "x"\n  }\n}}',
      problem: 'contradiction',
      field: 'mcpServers.a.command',
      line: 4,
      column: 16,
    },
    {
      why: 'args that are not a list',
      text: '{"mcpServers": {\n  "a": {\n    "command": "x",\n    "args": "--flag"\n  }\n}}',
      problem: 'wrong-type',
      field: 'mcpServers.a.args',
      line: 4,
      column: 13,
    },
    {
      why: 'an env value of the wrong shape',
      text: '{"mcpServers": {"a": {"command": "x",\n  "env": {\n    "T": { "fromVault": "T" }\n  }}}}',
      problem: 'wrong-type',
      field: 'mcpServers.a.env.T',
      line: 3,
      column: 10,
    },
    {
      why: 'a non-http url',
      text: '{"mcpServers": {"a": {\n  "type": "sse",\n  "url": "ftp://x/y"\n}}}',
      problem: 'wrong-type',
      field: 'mcpServers.a.url',
      line: 3,
      column: 10,
    },
    {
      why: 'an unknown remote type',
      text: '{"mcpServers": {"a": {\n  "url": "http://127.0.0.1:1/mcp",\n  "type": "websocket"\n}}}',
      problem: 'wrong-type',
      field: 'mcpServers.a.type',
      line: 3,
      column: 11,
    },
    {
      why: 'an unknown sandbox type',
      text: '{"mcpServers": {"a": {"command": "x",\n  "sandbox": { "type": "vm" }\n}}}',
      problem: 'wrong-type',
      field: 'mcpServers.a.sandbox.type',
      line: 2,
      column: 24,
    },
    {
      why: 'mcpServers that is not a mapping',
      text: '{\n  "mcpServers": []\n}',
      problem: 'not-a-mapping',
      field: 'mcpServers',
      line: 2,
      column: 17,
    },
    {
      why: 'a document that is not an object',
      text: '["x"]',
      problem: 'not-a-mapping',
      field: '',
      line: 1,
      column: 1,
    },
  ])('reports $why', ({ text, problem, field, line, column }) => {
    const result = parseMcpConfig('cfg/mcp.json', text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({
      code: 'GATEWAY_CONFIG_INVALID',
      problem,
      field,
      line,
      column,
      file: 'cfg/mcp.json',
    });
    expect(result.errors[0]?.message).toMatch(/^cfg\/mcp\.json:\d+:\d+: /);
  });

  it('reports every bad server, not only the first', () => {
    const text =
      '{"mcpServers": {\n  "a": {},\n  "b c": {"command": "x"},\n  "d": {"command": 1}\n}}';
    const result = parseMcpConfig('mcp.json', text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.field, e.line])).toEqual([
      ['mcpServers.a', 2],
      ['mcpServers.b c', 3],
      ['mcpServers.d.command', 4],
    ]);
  });

  it('never quotes a value from the file in a syntax error', () => {
    const text = '{"mcpServers": {"a": {"command": "x", "env": {"TOKEN": "s3cr3t-value\\q"}}}}';
    const result = parseMcpConfig('mcp.json', text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.message).toContain('invalid escape');
    expect(result.errors[0]?.message).not.toContain('s3cr3t');
  });
});

describe('parseMcpConfig: warnings, not errors', () => {
  it.each([
    {
      why: 'an unknown server field',
      text: '{"mcpServers": {"a": {\n  "command": "x",\n  "restart": "always"\n}}}',
      field: 'mcpServers.a.restart',
      problem: 'unknown-field',
      line: 3,
    },
    {
      why: 'an unknown top-level field',
      text: '{"mcpServers": {},\n "servers": {}}',
      field: 'servers',
      problem: 'unknown-field',
      line: 2,
    },
    {
      why: 'a variable reference that Claude Code would expand',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${…} is what is being tested.
      text: '{"mcpServers": {"a": {"url": "http://127.0.0.1:1/mcp",\n  "headers": {"Authorization": "Bearer ${TOKEN}"}}}}',
      field: 'mcpServers.a.headers.Authorization',
      problem: 'ignored-value',
      line: 2,
    },
    {
      why: 'a sandbox on a remote server',
      text: '{"mcpServers": {"a": {"url": "http://127.0.0.1:1/mcp",\n  "sandbox": {"type": "none"}}}}',
      field: 'mcpServers.a.sandbox',
      problem: 'ignored-value',
      line: 2,
    },
    {
      why: 'a client-side disabledTools list',
      text: '{"mcpServers": {"a": {"command": "x",\n  "disabledTools": ["rm"]}}}',
      field: 'mcpServers.a.disabledTools',
      problem: 'ignored-value',
      line: 2,
    },
    { why: 'no mcpServers at all', text: '{}', field: '', problem: 'missing-field', line: 1 },
  ])('warns about $why', ({ text, field, problem, line }) => {
    const result = parseMcpConfig('mcp.json', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ field, problem, line, severity: 'warning' });
  });
});
