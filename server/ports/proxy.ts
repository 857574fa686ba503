/**
 * The reverse-proxy core on node:http/net, no dependency. Streams both ways
 * with backpressure (pipe), so a 200 MB download or a server-sent event
 * stream never sits in memory. WebSocket upgrades are passed through as raw
 * bytes once the upgrade request is forwarded: the upstream's 101 answer
 * and every frame after it reach the browser unchanged.
 */
import http, { type IncomingMessage, type ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ProxyTarget {
  /** A connected stream to the service (TCP socket or loopback forwarder). */
  connect(): Promise<Duplex>;
  /** The path the app sees: the path form's prefix removed. */
  path: string;
  /** `/ports/<id>/<port>` for the path form, '' for the subdomain form. */
  prefix: string;
  /** The scheme browsers use to reach Slipway. */
  proto: 'http' | 'https';
  /** Cookie names that are Slipway's own: never handed to the app. */
  stripCookies: string[];
  /** Drop the Authorization header (it carried a Slipway token, not the app's own credentials). */
  stripAuthorization: boolean;
  /**
   * Serve the app's responses in a CSP sandbox (an opaque origin) and drop
   * `Service-Worker-Allowed`. Always for the path form: the app is served
   * from Slipway's own origin there, where its scripts could otherwise use
   * the visitor's session and register a service worker over the UI.
   */
  sandbox?: boolean;
  /** Called as bytes flow (the caller throttles): a long download or an open hot-reload socket is activity too. */
  onTraffic?: () => void;
}

// RFC 9110 hop-by-hop headers: they describe one connection, not the message.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function stripCookies(header: string | undefined, names: string[]): string | null {
  if (!header) return null;
  const kept = header.split(/;\s*/).filter((pair) => {
    const name = pair.slice(0, pair.indexOf('=') < 0 ? pair.length : pair.indexOf('=')).trim();
    return name !== '' && !names.includes(name);
  });
  return kept.length ? kept.join('; ') : null;
}

/** Request headers for the upstream: hop-by-hop removed (kept for upgrades), Slipway's secrets removed, X-Forwarded-* set. */
export function forwardHeaders(
  req: IncomingMessage,
  target: Pick<ProxyTarget, 'prefix' | 'proto' | 'stripCookies' | 'stripAuthorization'>,
  upgrade: boolean,
): OutgoingHttpHeaders {
  const named = new Set(
    String(req.headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const headers: Record<string, string | string[] | number> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (upgrade && (name === 'connection' || name === 'upgrade')) {
      headers[name] = value;
      continue;
    }
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (name.startsWith('x-forwarded-')) continue;
    headers[name] = value;
  }
  const cookie = stripCookies(req.headers.cookie, target.stripCookies);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  if (target.stripAuthorization) delete headers.authorization;
  const host = req.headers.host ?? '';
  headers['x-forwarded-host'] = host;
  headers['x-forwarded-proto'] = target.proto;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  if (target.prefix) headers['x-forwarded-prefix'] = target.prefix;
  if (!upgrade) headers.connection = 'close';
  return headers;
}

/** Absolute-path redirects from an app on the path form must stay under its prefix. */
export function rewriteLocation(location: string, prefix: string): string {
  if (!prefix || !location.startsWith('/') || location.startsWith('//') || location.startsWith(prefix + '/') || location === prefix) return location;
  return prefix + location;
}

/** Every browser capability a dev app may want, except allow-same-origin (which would make the sandbox pointless). */
export const SANDBOX =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-popups-to-escape-sandbox allow-pointer-lock allow-presentation';

/** The cookie a Set-Cookie header sets. */
function setCookieName(value: string): string {
  const eq = value.indexOf('=');
  return (eq < 0 ? '' : value.slice(0, eq)).trim();
}

/**
 * The app's response headers for the browser: hop-by-hop removed, redirects
 * kept under the prefix, Slipway's own cookie names never set by the app
 * (a page cannot overwrite the visitor's session). Sandboxed: our CSP comes
 * first and the app's own CSP, if any, follows as a second policy; both are
 * enforced, so the app can add restrictions but never lift the sandbox.
 */
export function responseHeaders(rawHeaders: string[], target: Pick<ProxyTarget, 'prefix' | 'sandbox' | 'stripCookies'>): string[] {
  const out: string[] = target.sandbox ? ['Content-Security-Policy', SANDBOX] : [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (target.sandbox && lower === 'service-worker-allowed') continue;
    if (lower === 'set-cookie' && target.stripCookies.includes(setCookieName(value))) continue;
    out.push(name, lower === 'location' ? rewriteLocation(value, target.prefix) : value);
  }
  return out;
}

/**
 * Forwards one HTTP request. Resolves when it is over; `onUnreachable` is
 * called (before anything is written) when the service cannot be reached.
 */
export async function proxyHttp(req: IncomingMessage, res: ServerResponse, target: ProxyTarget, onUnreachable: (error: unknown) => void): Promise<void> {
  let socket: Duplex;
  try {
    socket = await target.connect();
  } catch (error) {
    req.resume();
    return onUnreachable(error);
  }
  await new Promise<void>((resolve) => {
    const upstreamReq = http.request({
      method: req.method,
      path: target.path,
      headers: forwardHeaders(req, target, false),
      createConnection: () => socket as unknown as import('node:net').Socket,
    });
    const finish = () => resolve();
    upstreamReq.on('response', (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, responseHeaders(upstream.rawHeaders, target));
      // Streamed responses (SSE, logs) must not wait for a buffer to fill.
      res.flushHeaders();
      upstream.pipe(res);
      if (target.onTraffic) upstream.on('data', target.onTraffic);
      upstream.on('error', () => res.destroy());
      upstream.on('aborted', () => res.destroy());
      res.on('finish', finish);
    });
    upstreamReq.on('error', (error) => {
      if (!res.headersSent) onUnreachable(error);
      else res.destroy();
      finish();
    });
    // The browser went away: stop the upstream too, so it stops producing.
    res.on('close', () => {
      if (!res.writableFinished) socket.destroy();
      finish();
    });
    req.pipe(upstreamReq);
  });
}

/** An open proxied upgrade: `close` ends it from our side (a revoked credential). */
export interface ProxiedUpgrade {
  close(code: number, reason: string): void;
}

/** A server-to-client WebSocket close frame (unmasked, RFC 6455 §5.5.1). */
function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason).subarray(0, 123);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return Buffer.concat([Buffer.from([0x88, payload.length]), payload]);
}

/**
 * Forwards a WebSocket (or any Upgrade) request and then splices the two
 * connections. Resolves with a handle once spliced, or null when the
 * service was unreachable or the client left while we connected.
 */
export async function proxyUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  target: ProxyTarget,
  onUnreachable: (error: unknown) => void,
): Promise<ProxiedUpgrade | null> {
  let upstream: Duplex;
  try {
    upstream = await target.connect();
  } catch (error) {
    onUnreachable(error);
    return null;
  }
  if (client.destroyed) {
    upstream.destroy();
    return null;
  }
  const lines = [`${req.method} ${target.path} HTTP/1.1`];
  for (const [name, value] of Object.entries(forwardHeaders(req, target, true))) {
    for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(one).replace(/[\r\n]/g, '')}`);
  }
  upstream.write(lines.join('\r\n') + '\r\n\r\n');
  if (head.length) upstream.write(head);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  // Watch the upstream's answer head: after a 101, the client speaks WebSocket and can be sent a close frame.
  let answer = '';
  let upgraded = false;
  const watchHead = (chunk: Buffer) => {
    answer += chunk.toString('latin1');
    const end = answer.indexOf('\r\n\r\n');
    if (end < 0 && answer.length < 16_384) return;
    upgraded = end >= 0 && /^HTTP\/1\.[01] 101 /.test(answer);
    upstream.off('data', watchHead);
    answer = '';
  };
  upstream.on('data', watchHead);
  upstream.on('error', close);
  client.on('error', close);
  upstream.on('close', close);
  client.on('close', close);
  upstream.pipe(client);
  client.pipe(upstream);
  if (target.onTraffic) {
    upstream.on('data', target.onTraffic);
    client.on('data', target.onTraffic);
  }
  return {
    close(code, reason) {
      upstream.unpipe(client);
      client.unpipe(upstream);
      upstream.off('close', close);
      upstream.off('error', close);
      upstream.destroy();
      // Frames are not parsed here: a close frame sent while the app was mid-frame arrives garbled, and the client sees an abnormal close. Either way it is closed.
      if (upgraded && client.writable) {
        client.end(closeFrame(code, reason));
        setTimeout(() => client.destroy(), 1000).unref();
      } else {
        client.destroy();
      }
    },
  };
}
