/**
 * Cross-site request checks (DESIGN §10). A browser attaches the session
 * cookie to requests that other sites make (forms, fetch, WebSocket
 * upgrades), so a cookie-authenticated state change or upgrade is taken only
 * when its Origin is the server's own (SLIPWAY_PUBLIC_URL). Bearer-token
 * clients carry their credential explicitly and are not affected.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The origin (`scheme://host[:port]`) users reach the server at. */
export function publicOrigin(publicUrl: string): string {
  return new URL(publicUrl).origin;
}

/**
 * True when the request comes from the server's own pages. Browsers send
 * Origin on every POST/PUT/PATCH/DELETE and on WebSocket upgrades; without
 * one, `Sec-Fetch-Site: same-origin` is accepted; anything else (a foreign
 * origin, the opaque `null` origin of sandboxed frames and files, no header
 * at all) is refused.
 */
export function isSameOrigin(headers: IncomingHttpHeaders, publicUrl: string): boolean {
  const origin = headers.origin;
  if (typeof origin === 'string') return origin === publicOrigin(publicUrl);
  return headers['sec-fetch-site'] === 'same-origin';
}

/** True when the request authenticates with `Authorization: Bearer`, not a cookie. */
export function usesBearer(headers: IncomingHttpHeaders): boolean {
  const header = headers.authorization;
  return typeof header === 'string' && /^bearer\s+/i.test(header);
}
