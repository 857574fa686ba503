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

export function sessionCookie(name: string, value: string, options: { expires: Date | null; secure: boolean; domain: string | null }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  parts.push(options.expires ? `Expires=${options.expires.toUTCString()}` : 'Max-Age=0');
  if (options.secure) parts.push('Secure');
  // A Domain attribute makes the cookie reach port subdomains (<port>-<id>.<domain>).
  if (options.domain) parts.push(`Domain=${options.domain}`);
  return parts.join('; ');
}
