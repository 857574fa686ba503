/** Cookie header parsing and Set-Cookie building: small enough to not need a dependency. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      cookies[name] = part.slice(eq + 1).trim();
    }
  }
  return cookies;
}

/**
 * The browser's port-session cookie on a port host (issue 12, item 1): a
 * credential of its own, valid on that one host only. Proxied apps never
 * see it, nor `slipway_session`.
 */
export const PORT_COOKIE = 'slipway_port';

/**
 * A credential cookie. Always host-only (no Domain attribute): the main
 * session stays on Slipway's own host and each port host gets its own, so
 * no port page ever receives the cookie of another host.
 */
export function sessionCookie(name: string, value: string, options: { expires: Date | null; secure: boolean }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  parts.push(options.expires ? `Expires=${options.expires.toUTCString()}` : 'Max-Age=0');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
