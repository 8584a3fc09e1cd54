// Bypass cases about HOW a request is written: framing and smuggling, sizes, ports, schemes, paths, identity.
import {
  type BypassCase,
  c,
  connect,
  FLOW,
  get,
  IDENTITY,
  PARSER,
  post,
  TARGET,
} from './bypass-requests.ts';

export const WIRE_CASES: readonly BypassCase[] = [
  // Smuggling and framing (some refused by Node's parser, some by checkMessageFraming)
  c(
    'refuses Content-Length with Transfer-Encoding',
    post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses duplicate equal Content-Length',
    post('Content-Length: 1\r\nContent-Length: 1\r\n', 'x'),
    400,
    PARSER,
  ),
  c(
    'refuses duplicate different Content-Length',
    post('Content-Length: 1\r\nContent-Length: 2\r\n', 'xx'),
    400,
    PARSER,
  ),
  c('refuses a Content-Length list', post('Content-Length: 1, 1\r\n', 'x'), 400, PARSER),
  c('refuses a signed Content-Length', post('Content-Length: +1\r\n', 'x'), 400, PARSER),
  c(
    'refuses Transfer-Encoding xchunked',
    post('Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'),
    400,
    TARGET,
  ),
  c(
    'refuses Transfer-Encoding identity, chunked',
    post('Transfer-Encoding: identity, chunked\r\n', '0\r\n\r\n'),
    400,
    TARGET,
  ),
  c(
    'refuses Transfer-Encoding chunked, identity',
    post('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses two Transfer-Encoding headers',
    post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses a space before the colon',
    post('Transfer-Encoding : chunked\r\n', '0\r\n\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses an obs-folded Transfer-Encoding',
    post('Transfer-Encoding:\r\n chunked\r\n', '0\r\n\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses obs-fold in any header',
    get('http://api.slack.com:{P}/', undefined, 'X-A: one\r\n two\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses a bare LF line ending',
    get('http://api.slack.com:{P}/', undefined, 'X-A: 1\nX-B: 2\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses a bare CR inside a header',
    get('http://api.slack.com:{P}/', undefined, 'X-A: 1\rX-B: 2\r\n'),
    400,
    PARSER,
  ),
  c(
    'refuses NUL in a header value',
    get('http://api.slack.com:{P}/', undefined, 'X-A: 1\0\r\n'),
    400,
    PARSER,
  ),
  // Oversized headers
  c(
    'refuses a 20 KB header',
    get('http://api.slack.com:{P}/', undefined, `X-Big: ${'a'.repeat(20_000)}\r\n`),
    431,
    PARSER,
  ),
  c(
    'refuses 3,000 small headers',
    get('http://api.slack.com:{P}/', undefined, 'X: 1\r\n'.repeat(3_000)),
    431,
    PARSER,
  ),
  c(
    'refuses a 20 KB request target',
    get(`http://api.slack.com:{P}/${'a'.repeat(20_000)}`),
    431,
    PARSER,
  ),
  // Odd ports
  c('refuses port 0', get('http://api.slack.com:0/'), 400, TARGET),
  c('refuses port 65536', get('http://api.slack.com:65536/'), 400, TARGET),
  c('refuses a non-numeric port', get('http://api.slack.com:8o/'), 400, TARGET),
  c('refuses an empty port', get('http://api.slack.com:/'), 400, TARGET),
  c('refuses a port with a leading zero', get('http://api.slack.com:0{P}/'), 400, TARGET),
  c(
    'denies the default port when only another is allowed',
    get('http://api.slack.com/'),
    403,
    FLOW,
  ),
  c(
    'denies an explicit :80 when only another is allowed',
    get('http://api.slack.com:80/', 'api.slack.com'),
    403,
    FLOW,
  ),
  c(
    'denies CONNECT to :443 when only another port is allowed',
    connect('api.slack.com:443'),
    403,
    FLOW,
  ),
  c('denies CONNECT to :80', connect('api.slack.com:80'), 403, FLOW),
  c('refuses CONNECT to port 0', connect('api.slack.com:0'), 400, TARGET),
  c('refuses CONNECT to port 65536', connect('api.slack.com:65536'), 400, TARGET),
  c('refuses CONNECT to a non-numeric port', connect('api.slack.com:https'), 400, TARGET),
  c('refuses CONNECT without a port', connect('api.slack.com'), 400, TARGET),
  // Schemes and target forms
  c('denies absolute-form https to a denied host', get('https://evil.example:{P}/'), 403, FLOW),
  c('refuses an ftp target', get('ftp://api.slack.com:{P}/'), 400, TARGET),
  c('refuses a fragment in the target', get('http://api.slack.com:{P}/#x'), 400, TARGET),
  c(
    'refuses CONNECT with a path',
    connect('api.slack.com:{P}/x', 'api.slack.com:{P}'),
    400,
    TARGET,
  ),
  c(
    'refuses CONNECT with an absolute URI',
    connect('http://api.slack.com:{P}/', 'api.slack.com:{P}'),
    400,
    TARGET,
  ),
  // Path traversal against a path-restricted rule (files.example.com:{P}/public/*)
  c(
    'denies .. out of an allowed path',
    get('http://files.example.com:{P}/public/../secret'),
    403,
    FLOW,
  ),
  c(
    'denies %2e%2e out of an allowed path',
    get('http://files.example.com:{P}/public/%2e%2e/secret'),
    403,
    FLOW,
  ),
  c(
    'denies mixed .%2E out of an allowed path',
    get('http://files.example.com:{P}/public/.%2E/secret'),
    403,
    FLOW,
  ),
  c(
    'denies backslash .. out of an allowed path',
    get('http://files.example.com:{P}/public\\..\\secret'),
    403,
    FLOW,
  ),
  c(
    'denies an encoded slash that only looks inside',
    get('http://files.example.com:{P}/public%2f..%2fsecret'),
    403,
    FLOW,
  ),
  c(
    'denies a path in another letter case',
    get('http://files.example.com:{P}/PUBLIC/x'),
    403,
    FLOW,
  ),
  // Identity on the TCP listener
  c(
    'answers 407 without Proxy-Authorization',
    (ctx) =>
      `GET http://api.slack.com:${ctx.port}/ HTTP/1.1\r\nHost: api.slack.com:${ctx.port}\r\n\r\n`,
    407,
    IDENTITY,
  ),
  c(
    'answers 407 to a wrong token',
    (ctx) =>
      `GET http://api.slack.com:${ctx.port}/ HTTP/1.1\r\nHost: api.slack.com:${ctx.port}\r\nProxy-Authorization: Basic ${Buffer.from('bypass:forged').toString('base64')}\r\n\r\n`,
    407,
    IDENTITY,
  ),
  c(
    'answers 407 to two Proxy-Authorization headers',
    (ctx) =>
      get(
        'http://api.slack.com:{P}/',
        undefined,
        `Proxy-Authorization: Basic ${Buffer.from('other:x').toString('base64')}\r\n`,
      )(ctx),
    407,
    IDENTITY,
  ),
  c(
    'answers 407 to CONNECT without credentials',
    (ctx) =>
      `CONNECT api.slack.com:${ctx.port} HTTP/1.1\r\nHost: api.slack.com:${ctx.port}\r\n\r\n`,
    407,
    IDENTITY,
  ),
];
