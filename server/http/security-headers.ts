/**
 * Security headers on every response Slipway itself serves: the API, the
 * web UI and its files, error answers (issue 12, item 16). The port proxy
 * answers outside fastify's reply (it hijacks), so proxied app content is
 * left as the app sent it, apart from the path form's sandbox (port-routes).
 *
 * - `X-Content-Type-Options: nosniff`: a JSON or text answer is never
 *   guessed into HTML or script.
 * - `Referrer-Policy: same-origin`: URLs (workspace ids, ports) do not leak
 *   to other sites, port hosts included.
 * - Frame protection, both spellings: `X-Frame-Options: DENY` and CSP
 *   `frame-ancestors 'none'`. The UI frames port previews, never the other
 *   way round.
 * - The UI's HTML gets a CSP that only runs the UI's own bundled files;
 *   everything else gets `default-src 'none'`, so an answer opened as a
 *   document runs and loads nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';

/** The policy of the UI's HTML (index.html for every UI route). */
export function uiContentSecurityPolicy(config: Pick<Config, 'publicUrl' | 'domain'>): string {
  const url = new URL(config.publicUrl);
  const ws = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
  // Port previews: the path form is on this origin; the subdomain form is <port>-<id>.<domain>, in the public URL's scheme.
  const portHosts = config.domain ? ` ${url.protocol}//*.${config.domain}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // xterm.js writes <style> elements for its renderer and the UI sets inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    // 'self' covers ws(s) of this host in current browsers; the public URL's own is named for the rest.
    `connect-src 'self' ${ws}`,
    `frame-src 'self'${portHosts}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Everything that is not the UI's HTML: JSON, text, the UI's scripts and styles. */
export const NON_DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A fastify onSend hook that sets the headers; the content type decides which CSP. */
export function securityHeaders(config: Pick<Config, 'publicUrl' | 'domain'>) {
  // Computed when first needed and again if the config changes (tests set publicUrl once they know their port).
  let memo = { key: '', policy: '' };
  const uiPolicy = () => {
    const key = `${config.publicUrl} ${config.domain ?? ''}`;
    if (memo.key !== key) memo = { key, policy: uiContentSecurityPolicy(config) };
    return memo.policy;
  };
  return async function onSend(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', type.startsWith('text/html') ? uiPolicy() : NON_DOCUMENT_POLICY);
    return payload;
  };
}
