/**
 * Who is calling: `Authorization: Bearer <token>`, the session cookie, or (for
 * WebSockets, whose browser API cannot set headers) `?token=`.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthService, Identity, User } from '../auth/service.js';
import { SESSION_COOKIE } from '../auth/service.js';
import { parseCookies } from './cookies.js';

export function callerOf(auth: AuthService, request: Pick<IncomingMessage, 'headers' | 'url'>, options: { allowQueryToken: boolean }): User | null {
  return identify(auth, request, options)?.user ?? null;
}

/**
 * The caller, the credential that authenticated them, and how it came: a
 * cookie is what a browser attaches to cross-site requests on its own, so
 * `via: 'cookie'` is the case that needs an Origin check.
 */
export function identify(
  auth: AuthService,
  request: Pick<IncomingMessage, 'headers' | 'url'>,
  options: { allowQueryToken: boolean },
): (Identity & { via: 'bearer' | 'query' | 'cookie' }) | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    const found = auth.identifyToken(header.replace(/^bearer\s+/i, '').trim());
    return found && { ...found, via: 'bearer' };
  }
  if (options.allowQueryToken && request.url) {
    const token = new URL(request.url, 'http://x').searchParams.get('token');
    if (token) {
      const found = auth.identifyToken(token);
      return found && { ...found, via: 'query' };
    }
  }
  const cookie = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  const found = cookie ? auth.identifySession(cookie) : null;
  return found && { ...found, via: 'cookie' };
}

/** Removes secrets from a URL before it is logged. */
export function redactUrl(url: string): string {
  // A path-form port URL may carry a port-session key: /ports/<id>/<port>~<key>/...
  return url.replace(/([?&](?:token|access_token)=)[^&]*/gi, '$1[redacted]').replace(/^(\/ports\/[a-z0-9]+\/\d+~)[A-Za-z0-9_-]+/, '$1[redacted]');
}
