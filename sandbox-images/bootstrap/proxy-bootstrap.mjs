// Loaded with NODE_OPTIONS=--import: routes fetch and http/https through HTTP(S)_PROXY on Node versions that ignore it.
// Node >= 24.5 honours NODE_USE_ENV_PROXY=1 for fetch and http/https itself: then this does nothing. Never throws.
import { createRequire } from 'node:module';

const proxyUrl = process.env.HTTPS_PROXY || process.env.HTTP_PROXY || '';
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHonoursProxy = major > 24 || (major === 24 && minor >= 5);

function routeFetch() {
  try {
    // The server's own undici if it has one; Node's bundled one does not export EnvHttpProxyAgent.
    const undici = createRequire(`${process.cwd()}/`)('undici');
    undici.setGlobalDispatcher(new undici.EnvHttpProxyAgent());
    return;
  } catch {}
  // No undici: fetch on such a Node fails closed anyway (no route out of the sandbox but the proxy).
}

function routeHttp(proxy) {
  // The CommonJS objects: an ES module namespace cannot be assigned to, and every user shares these.
  const require = createRequire(import.meta.url);
  const http = require('node:http');
  const https = require('node:https');
  const net = require('node:net');
  const tls = require('node:tls');
  // https: tunnel with CONNECT, then TLS over the tunnel.
  class TunnelAgent extends https.Agent {
    createConnection(options, callback) {
      const socket = net.connect(Number(proxy.port || 80), proxy.hostname);
      const target = `${options.host}:${options.port || 443}`;
      socket.once('connect', () =>
        socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
      );
      let head = '';
      const onData = (chunk) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        if (!/^HTTP\/1\.[01] 2/.test(head)) {
          callback(new Error(`proxy refused CONNECT ${target}: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        callback(
          null,
          tls.connect({ ...options, socket, servername: options.servername || options.host }),
        );
      };
      socket.on('data', onData);
      socket.once('error', (error) => callback(error));
    }
  }
  https.globalAgent = new TunnelAgent({ keepAlive: false });
  // http: absolute-form requests to the proxy.
  class ProxyHttpAgent extends http.Agent {
    addRequest(request, options) {
      request.path = `http://${options.host}:${options.port || 80}${request.path}`;
      return super.addRequest(request, {
        ...options,
        host: proxy.hostname,
        port: Number(proxy.port || 80),
      });
    }
  }
  http.globalAgent = new ProxyHttpAgent();
}

if (proxyUrl !== '' && !nodeHonoursProxy) {
  try {
    const proxy = new URL(proxyUrl);
    routeFetch();
    routeHttp(proxy);
  } catch (error) {
    process.stderr.write(
      `airlock proxy bootstrap: ${error instanceof Error ? error.message : error}\n`,
    );
  }
}
