/**
 * Who is calling: `Authorization: Bearer <token>`, the session cookie, or (for
 * WebSockets, whose browser API cannot set headers) `?token=`.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthService, User } from '../auth/service.js';
import { SESSION_COOKIE } from '../auth/service.js';
import { parseCookies } from './cookies.js';

export function callerOf(auth: AuthService, request: Pick<IncomingMessage, 'headers' | 'url'>, options: { allowQueryToken: boolean }): User | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    return auth.userForToken(header.replace(/^bearer\s+/i, '').trim());
  }
  if (options.allowQueryToken && request.url) {
    const token = new URL(request.url, 'http://x').searchParams.get('token');
    if (token) return auth.userForToken(token);
  }
  const cookie = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  return cookie ? auth.userForSession(cookie) : null;
}

/** Removes secrets from a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&]*/gi, '$1[redacted]');
}
