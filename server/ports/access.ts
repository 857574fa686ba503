/**
 * Who may reach a workspace port, and which port a request means. Pure
 * functions (no I/O) so the security-relevant decisions are unit-tested on
 * their own, apart from the proxy's plumbing.
 */
import type { PortSpec, PortVisibility } from '../definition/model.js';

export interface PortCaller {
  id: string;
  isAdmin: boolean;
}

export interface PortWorkspace {
  ownerId: string;
  portVisibility: Record<string, PortVisibility>;
  spec: { ports: PortSpec[] } | null;
}

export type PortAccess = 'allow' | 'login' | 'not-found';

/** Visibility at run time: the owner's override, else the definition's, else private. */
export function effectiveVisibility(workspace: Pick<PortWorkspace, 'portVisibility' | 'spec'>, port: number): PortVisibility {
  const override = workspace.portVisibility[String(port)];
  if (override) return override;
  const declared = workspace.spec?.ports.find((p) => port >= p.port && port <= (p.endPort ?? p.port));
  return declared?.visibility ?? 'private';
}

/**
 * The access decision. A public port is open to anyone who has the URL.
 * Otherwise: no caller → log in (asked before saying whether the workspace
 * exists, so strangers learn nothing); someone else's workspace, or none →
 * not found, the same answer the API gives.
 */
export function decidePortAccess(workspace: PortWorkspace | null, port: number, caller: PortCaller | null): PortAccess {
  if (workspace && effectiveVisibility(workspace, port) === 'public') return 'allow';
  if (!caller) return 'login';
  if (!workspace) return 'not-found';
  return workspace.ownerId === caller.id || caller.isAdmin ? 'allow' : 'not-found';
}

export interface PortAddress {
  workspaceId: string;
  port: number;
  /** The path the app sees (prefix removed for the path form), with the query. */
  path: string;
  /** `/ports/<id>/<port>` (or `/ports/<id>/<port>~<key>`) for the path form, '' for the subdomain form. */
  prefix: string;
}

/** A path-form address: the port-session key its URL carries, if any. */
export interface PortPathAddress extends PortAddress {
  key: string | null;
}

const ID = '[a-z0-9]{1,64}';
/** A port-session token (sessions.ts): 32 random bytes, base64url, so the path form can carry one in its prefix. */
export const PORT_KEY_PATTERN = '[A-Za-z0-9_-]{43}';
// `/ports/<id>/<port>/...`, or `/ports/<id>/<port>~<key>/...` carrying a port-session key (see sessions.ts).
const PATH_FORM = new RegExp(`^/ports/(${ID})/(\\d{1,5})(?:~(${PORT_KEY_PATTERN}))?(/[^?#]*)?(\\?.*)?$`);

function validPort(text: string): number | null {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 && String(port) === text ? port : null;
}

/** `/ports/<id>/<port>[~<key>]/rest?q` → the address; null when the URL is not the path form. */
export function parsePortPath(url: string): PortPathAddress | null {
  const match = PATH_FORM.exec(url);
  if (!match) return null;
  const port = validPort(match[2]!);
  if (port === null) return null;
  const key = match[3] ?? null;
  const base = `/ports/${match[1]}/${match[2]}`;
  return { workspaceId: match[1]!, port, path: (match[4] ?? '/') + (match[5] ?? ''), prefix: key ? `${base}~${key}` : base, key };
}

/** The scope a path-form port session is valid for: the prefix without any key. */
export function pathScope(workspaceId: string, port: number): string {
  return `/ports/${workspaceId}/${port}`;
}

/**
 * `<port>-<id>.<domain>` → the port and workspace. The domain may carry a
 * port (`localhost:8080`); a domain without one also accepts any port on
 * the Host header, since a TLS terminator in front may use a non-default one.
 */
export function parsePortHost(host: string | undefined, domain: string | null): { workspaceId: string; port: number } | null {
  if (!host || !domain) return null;
  const lower = host.toLowerCase();
  const domainHasPort = /:\d+$/.test(domain);
  const bare = domainHasPort ? lower : lower.replace(/:\d+$/, '');
  if (!bare.endsWith('.' + domain)) return null;
  const label = bare.slice(0, -(domain.length + 1));
  const match = new RegExp(`^(\\d{1,5})-(${ID})$`).exec(label);
  if (!match) return null;
  const port = validPort(match[1]!);
  return port === null ? null : { workspaceId: match[2]!, port };
}

/** A browser navigation (gets redirected to log in) versus an API or fetch call (gets 401 JSON). */
export function isBrowserNavigation(method: string | undefined, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && typeof accept === 'string' && accept.includes('text/html');
}

/**
 * A GET/HEAD that loads a document (a tab, a frame): `Sec-Fetch-Mode:
 * navigate` where the browser sends Fetch Metadata, else the Accept guess.
 * A page's own fetch() or <script> is not one, so it is never redirected.
 */
export function isDocumentNavigation(headers: { method?: string; accept?: string; mode?: string }): boolean {
  if (headers.method !== 'GET' && headers.method !== 'HEAD') return false;
  if (headers.mode !== undefined) return headers.mode === 'navigate';
  return isBrowserNavigation(headers.method, headers.accept);
}

// What a document on Slipway's own origin may load as code or style; see refusesPathFormFetch.
const CODE_DESTINATIONS = new Set(['script', 'style', 'worker', 'sharedworker', 'serviceworker', 'audioworklet', 'paintworklet', 'xslt']);

/**
 * Path-form requests that are refused outright (403): a service worker's
 * script (one registered from Slipway's origin would control the whole UI),
 * and code or style loaded by a page on Slipway's own origin. Port pages
 * are sandboxed (an opaque origin), so their own requests are never
 * `Sec-Fetch-Site: same-origin`: such a request comes from Slipway's UI,
 * and workspace content must not run there as script.
 */
export function refusesPathFormFetch(headers: { serviceWorker?: string; site?: string; dest?: string }): string | null {
  if (headers.serviceWorker !== undefined)
    return "A port page cannot be a service worker on Slipway's origin: use the port's subdomain URL (SLIPWAY_DOMAIN) for apps with service workers";
  if (headers.site === 'same-origin' && headers.dest !== undefined && CODE_DESTINATIONS.has(headers.dest)) {
    return `Slipway's own pages do not load workspace content as ${headers.dest}`;
  }
  return null;
}

/**
 * A location the proxy may send a browser to after the port-auth handoff:
 * only a port subdomain of our own domain, so `to=` is no open redirect.
 */
export function safePortUrl(to: string, domain: string | null): URL | null {
  try {
    const url = new URL(to);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return parsePortHost(url.host, domain) ? url : null;
  } catch {
    return null;
  }
}
