// What a denied request receives: the flow's response as written, framing kept to the egress, the blocked-by header always.
import { describe, expect, it } from 'vitest';
import type { Decision } from '../flows/types.ts';
import {
  addressGuardResponse,
  BLOCKED_BY_HEADER,
  denyResponseFor,
  proxyAuthRequired,
  serialiseResponse,
  upstreamFailure,
} from './deny-response.ts';

const deny = (over: Partial<Decision>): Decision => ({
  decision: 'deny',
  flow: 'slack',
  processor: 'GenerateResponseForbidden',
  reason: 'api.badactor.com is not in AllowFilter',
  ...over,
});

describe('denyResponseFor', () => {
  it.each([
    {
      name: 'a flow and its processor',
      decision: deny({}),
      blockedBy: 'slack/GenerateResponseForbidden',
    },
    {
      name: 'the egress default',
      decision: deny({ flow: null, processor: null }),
      blockedBy: 'default/deny',
    },
    {
      name: 'a flow without a processor',
      decision: deny({ processor: null }),
      blockedBy: 'slack/deny',
    },
  ])('names $name in the blocked-by header', ({ decision, blockedBy }) => {
    const response = denyResponseFor(decision);
    expect(response.blockedBy).toBe(blockedBy);
    expect(response.headers[BLOCKED_BY_HEADER]).toBe(blockedBy);
  });

  it('sends the GenerateResponse status, body and headers as written', () => {
    const response = denyResponseFor(
      deny({
        response: {
          status: 403,
          body: 'Forbidden Access',
          headers: { 'Content-Type': 'text/plain' },
        },
      }),
    );
    expect(response).toMatchObject({ status: 403, body: 'Forbidden Access' });
    expect(response.headers).toEqual({
      'Content-Type': 'text/plain',
      [BLOCKED_BY_HEADER]: 'slack/GenerateResponseForbidden',
    });
  });

  it('answers 403 with the reason when the decision carries no response', () => {
    const response = denyResponseFor(deny({}));
    expect(response.status).toBe(403);
    expect(response.body).toContain('api.badactor.com is not in AllowFilter');
  });

  it.each<{ header: Record<string, string>; why: string }>([
    { header: { 'X-Bad': 'a\r\nSet-Cookie: x=1' }, why: 'a value with CR LF' },
    { header: { 'Bad Name': 'v' }, why: 'a name that is not a token' },
    { header: { 'Content-Length': '0' }, why: 'framing (Content-Length)' },
    { header: { 'Transfer-Encoding': 'chunked' }, why: 'framing (Transfer-Encoding)' },
    { header: { [BLOCKED_BY_HEADER]: 'someone-else' }, why: 'a forged blocked-by' },
  ])('drops $why from a generated response', ({ header }) => {
    const response = denyResponseFor(
      deny({ response: { status: 403, body: 'no', headers: header } }),
    );
    expect(Object.keys(response.headers)).toEqual([BLOCKED_BY_HEADER]);
  });

  it('falls back to 403 for a status a response cannot carry', () => {
    expect(denyResponseFor(deny({ response: { status: 101, body: '', headers: {} } })).status).toBe(
      403,
    );
  });
});

describe('other refusals', () => {
  it('names the address class for the guard', () => {
    expect(addressGuardResponse('link-local', 'x').blockedBy).toBe('address-guard/link-local');
  });

  it('asks for Basic credentials with 407', () => {
    const response = proxyAuthRequired('no Proxy-Authorization header');
    expect(response.status).toBe(407);
    expect(response.headers['Proxy-Authenticate']).toBe('Basic realm="airlock"');
  });

  it('reports an upstream failure with its code and no blocked-by', () => {
    const response = upstreamFailure(504, 'UND_ERR_CONNECT_TIMEOUT');
    expect(response.headers['x-airlock-error']).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(response.headers[BLOCKED_BY_HEADER]).toBeUndefined();
  });

  it('serialises a closing HTTP/1.1 response with an exact Content-Length', () => {
    const text = serialiseResponse(
      denyResponseFor(deny({ response: { status: 403, body: 'Forbidden Ä', headers: {} } })),
    );
    expect(text).toBe(
      'HTTP/1.1 403 Forbidden\r\nx-airlock-blocked-by: slack/GenerateResponseForbidden\r\n' +
        'Content-Length: 12\r\nConnection: close\r\n\r\nForbidden Ä',
    );
  });
});
