// Endpoint templates keep the API's names and collapse the values in a path to `{id}`.
import { describe, expect, it } from 'vitest';
import { endpointTemplate, MAX_TEMPLATE_LENGTH } from './endpoint-template.ts';

describe('endpointTemplate', () => {
  it.each([
    ['/', '/', 'the root stays'],
    ['/api/chat.postMessage', '/api/chat.postMessage', 'dotted method names stay'],
    ['/v1/users/me', '/v1/users/me', 'version segments and words stay'],
    ['/users/42', '/users/{id}', 'a numeric id collapses'],
    ['/users/42/posts/7', '/users/{id}/posts/{id}', 'every id segment collapses'],
    ['/items/0/', '/items/{id}/', 'a trailing slash is kept'],
    ['/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301', '/orders/{id}', 'a UUID collapses'],
    [
      '/orders/3F2504E0-4F89-11D3-9A0C-0305E82C3301',
      '/orders/{id}',
      'an upper-case UUID collapses',
    ],
    ['/commits/0123456789abcdef0123456789abcdef01234567', '/commits/{id}', 'a git SHA collapses'],
    ['/objects/507f1f77bcf86cd799439011', '/objects/{id}', 'a 24-hex ObjectId collapses'],
    ['/blobs/a1b2c3d4', '/blobs/{id}', 'a short hex run with digits collapses'],
    ['/feed/deadbeef', '/feed/deadbeef', 'a hex-only word stays'],
    ['/api/facade/added', '/api/facade/added', 'words made of hex letters stay'],
    ['/users/jane.doe@example.com/keys', '/users/{id}/keys', 'an email collapses'],
    ['/users/jane.doe%40example.com', '/users/{id}', 'a percent-encoded email collapses'],
    ['/reports/2024-01-15', '/reports/{id}', 'a date collapses'],
    ['/packages/left-pad/1.3.0', '/packages/left-pad/{id}', 'a version number collapses'],
    ['/geo/52.52,13.40', '/geo/{id}', 'coordinates collapse'],
    [
      '/conversations/C024BE91L/history',
      '/conversations/{id}/history',
      'a Slack channel id collapses',
    ],
    ['/customers/cus_NffrFeUfNV2Hib', '/customers/{id}', 'a Stripe id collapses'],
    [
      '/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage',
      '/{id}/sendMessage',
      'a bot token collapses',
    ],
    [
      '/t/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '/t/{id}',
      'a JWT collapses',
    ],
    ['/keys/sk-proj-4f9Ab7cD2eF1gH8iJ0kL', '/keys/{id}', 'an API key collapses'],
    ['/b64/QWxhZGRpbjpvcGVuIHNlc2FtZQ==', '/b64/{id}', 'a base64 value collapses'],
    [
      '/api/getV2ChannelsListExtended',
      '/api/getV2ChannelsListExtended',
      'a long camelCase name stays',
    ],
    ['/XMLHttpRequestUpload', '/XMLHttpRequestUpload', 'an acronym-heavy name stays'],
    ['/oauth2/token', '/oauth2/token', 'a name with one digit stays'],
    ['/search?q=42&page=3', '/search', 'the query is not part of the template'],
    ['/a/%zz/42', '/a/%zz/{id}', 'a malformed escape is kept as written'],
  ])('%s → %s (%s)', (path, template) => {
    expect(endpointTemplate(path)).toBe(template);
  });

  it('cuts an overlong path so attacker-chosen paths stay bounded', () => {
    const template = endpointTemplate(`/${'word/'.repeat(400)}`);
    expect(template.length).toBe(MAX_TEMPLATE_LENGTH + 1);
    expect(template.endsWith('…')).toBe(true);
  });
});
