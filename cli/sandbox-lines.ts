// What `airlock up` and `airlock gateway` print about each stdio server's sandbox.
import type { StdioServerSpec } from '../gateway/config/types.ts';
import type { Gateway } from '../gateway/gateway-service.ts';
import type { SelectingLauncher } from '../gateway/sandbox/select-launcher.ts';

/** One line per stdio server: the sandbox backend it gets here, or why it will not start. */
export async function sandboxLines(
  gateway: Gateway,
  launcher: SelectingLauncher,
): Promise<string[]> {
  const lines: string[] = [];
  for (const spec of Object.values(gateway.config().servers)) {
    if (spec.transport !== 'stdio' || spec.disabled) continue;
    const choice = await launcher.choose(spec as StdioServerSpec);
    if (choice.backend === 'none') {
      lines.push(
        `WARNING: ${spec.name} runs UNSANDBOXED (sandbox.type none): its proxy variables are advisory, NOT enforced`,
      );
    } else if (choice.backend === undefined) {
      lines.push(`sandbox ${spec.name}: NOT started: ${choice.reason}`);
    } else {
      lines.push(`sandbox ${spec.name}: ${choice.backend} (${choice.reason})`);
    }
  }
  return lines;
}
