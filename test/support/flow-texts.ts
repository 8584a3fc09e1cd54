// Flow file texts for e2e tests: the short-form example verbatim, and allowlists for ports chosen at run time.

/** The short-form example exactly as the Lunar article (and the issue) writes it. */
export const SLACK_EXAMPLE = `AllowFilter:
  processor: Filter
  parameters:
    - key: urls
      value:
        - api.slack.com/*
        - "*.googleapis.com/*"
GenerateResponseForbidden:
  processor: GenerateResponse
  parameters:
    - key: status
      value: 403
    - key: body
      value: "Forbidden Access"
    - key: Content-Type
      value: text/plain
`;

/**
 * The same example with the test origins' ports written into the patterns: a port must be written to be
 * allowed, and test origins never sit on 443.
 */
export function slackExampleOnPorts(ports: readonly number[]): string {
  const urls = ports.flatMap((port) => [
    `        - "api.slack.com:${port}/*"`,
    `        - "*.googleapis.com:${port}/*"`,
  ]);
  return [
    'AllowFilter:',
    '  processor: Filter',
    '  parameters:',
    '    - key: urls',
    '      value:',
    ...urls,
    'GenerateResponseForbidden:',
    '  processor: GenerateResponse',
    '  parameters:',
    '    - key: status',
    '      value: 403',
    '    - key: body',
    '      value: "Forbidden Access"',
    '    - key: Content-Type',
    '      value: text/plain',
    '',
  ].join('\n');
}

/** A named short-form allowlist that applies only to `servers` (under a `processors:` key). */
export function serverAllowlist(
  name: string,
  servers: readonly string[],
  urls: readonly string[],
): string {
  return [
    `name: ${name}`,
    'filter:',
    `  servers: [${servers.join(', ')}]`,
    'processors:',
    '  Allow:',
    '    processor: Filter',
    '    parameters:',
    '      - key: urls',
    '        value:',
    ...urls.map((url) => `          - "${url}"`),
    '  Deny:',
    '    processor: GenerateResponse',
    '    parameters:',
    '      - key: status',
    '        value: 451',
    '      - key: body',
    `        value: "${name} says no"`,
    '      - key: Content-Type',
    '        value: text/plain',
    '',
  ].join('\n');
}
