/**
 * The ports panel: each declared (or detected) port with its link and
 * visibility. Ports with `onOpen: open-browser` / `open-preview` are watched
 * until they answer, then opened once per page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiPort, ApiWorkspace } from '../api-types.js';

const linkOf = (p: ApiPort) => p.subdomainUrl ?? p.url;

/** The path form is same-origin, so a fetch can tell whether something listens behind it. */
async function answers(port: ApiPort): Promise<boolean> {
  try {
    const response = await fetch(port.url, { method: 'GET', credentials: 'same-origin', redirect: 'manual', cache: 'no-store' });
    return response.type === 'opaqueredirect' || (response.status !== 502 && response.status !== 503 && response.status !== 504);
  } catch {
    return false;
  }
}

export function PortsPanel({ ws }: { ws: ApiWorkspace }) {
  const [ready, setReady] = useState<Record<number, boolean>>({});
  const [preview, setPreview] = useState<ApiPort | null>(null);
  const [blocked, setBlocked] = useState<ApiPort | null>(null);
  const handled = useRef(new Set<number>());
  const running = ws.status === 'running';
  const watched = ws.ports.filter((p) => p.onOpen === 'open-browser' || p.onOpen === 'open-preview');
  const key = watched.map((p) => p.port).join(',');

  useEffect(() => {
    if (!running || watched.length === 0) return;
    let stopped = false;
    const check = async () => {
      for (const port of watched) {
        if (handled.current.has(port.port)) continue;
        if (!(await answers(port)) || stopped) continue;
        handled.current.add(port.port);
        setReady((r) => ({ ...r, [port.port]: true }));
        if (port.onOpen === 'open-preview') setPreview(port);
        // Browsers may block a window that no click opened: then offer the link instead.
        else if (!window.open(linkOf(port), '_blank', 'noopener')) setBlocked(port);
      }
      if (!stopped && watched.some((p) => !handled.current.has(p.port))) timer = setTimeout(check, 1500);
    };
    let timer = setTimeout(check, 300);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [running, key]);

  return (
    <section class="panel" data-testid="ports">
      <h3>Ports</h3>
      {ws.ports.length === 0 ? <p class="muted small">No ports declared. Ports the workspace opens show up here.</p> : null}
      <ul class="ports">
        {ws.ports.map((p) => (
          <li key={p.port}>
            <div class="port-head">
              <strong>{p.port}</strong>
              {p.name ? <span class="port-name">{p.name}</span> : null}
              <span class={`pill ${p.visibility === 'public' ? 'pill-warn' : ''}`}>{p.visibility}</span>
              {ready[p.port] ? <span class="pill pill-ok">answering</span> : null}
            </div>
            {running ? (
              <a href={linkOf(p)} target="_blank" rel="noopener" class="small ellipsis port-link">
                {linkOf(p)}
              </a>
            ) : (
              <span class="small muted">available while running</span>
            )}
            {p.onOpen && p.onOpen !== 'notify' ? <div class="small muted">on open: {p.onOpen}</div> : null}
          </li>
        ))}
      </ul>
      {blocked ? (
        <div class="info small">
          Port {blocked.port} is ready:{' '}
          <a href={linkOf(blocked)} target="_blank" rel="noopener" onClick={() => setBlocked(null)}>
            open it
          </a>
        </div>
      ) : null}
      {preview ? (
        <div class="preview">
          <div class="preview-head small">
            Preview of port {preview.port}{' '}
            <button type="button" class="btn btn-small btn-plain" onClick={() => setPreview(null)}>
              Close
            </button>
          </div>
          <iframe src={linkOf(preview)} title={`Port ${preview.port}`} />
        </div>
      ) : null}
    </section>
  );
}
