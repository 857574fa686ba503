/**
 * The request path as the router sees it, checked before routing (DESIGN §10:
 * auth is decided on the normalized path). The router percent-decodes the
 * path, so a check on the raw URL can be fooled (`/%61pi/...` is `/api/...`
 * to the router). Ambiguous spellings are refused outright instead of being
 * normalized one way here and another way by a proxy, the router or a
 * workspace: an encoded `/` or `\`, `.` and `..` segments (raw or encoded),
 * empty segments (`//`), control characters (NUL), double encoding
 * (`%252F`) and malformed escapes. Pure: no fastify here.
 */

export type PathCheck = { ok: true; path: string } | { ok: false; message: string };

/** The path part of a request target: everything before the first `?` or `#` (the router splits there too). */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

export function checkRequestPath(url: string): PathCheck {
  const raw = pathOf(url);
  const refuse = (why: string): PathCheck => ({
    ok: false,
    message: `The request path ${JSON.stringify(raw.slice(0, 200))} ${why}; send a plain path like /api/workspaces/<id>`,
  });
  if (!raw.startsWith('/')) return refuse('does not start with "/"');
  if (/%(?![0-9a-f]{2})/i.test(raw)) return refuse('has a malformed %-escape');
  // An encoded separator means something else to whoever decodes it next.
  if (/%2f|%5c/i.test(raw) || raw.includes('\\')) return refuse('encodes a "/" or holds a "\\"');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return refuse('is not valid UTF-8 once %-decoded');
  }
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return refuse('holds a control character');
  if (/%[0-9a-f]{2}/i.test(decoded)) return refuse('is %-encoded twice');
  const segments = decoded.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '.' || segment === '..') return refuse('has a "." or ".." segment');
    // A trailing slash is an ordinary (unrouted) path; an empty segment inside is "//".
    if (segment === '' && i < segments.length - 1) return refuse('has an empty segment ("//")');
  }
  return { ok: true, path: decoded };
}
