/** `/`: the user's workspaces, projects with their newest prebuilds, and "open a repository". */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorMessage } from '../api.js';
import type { ApiPrebuild, ApiProject, ApiWorkspace } from '../api-types.js';
import { navigate } from '../router.js';
import { ActionButton, ErrorBox, Section, Status, age, shortSha, usePoll } from '../ui.js';
import { printable, shown } from '../printable.js';
import { oneLineReason, statusLabel } from '../failure.js';

const BUSY = ['pending', 'building', 'starting', 'stopping'];

/** `/#<url>`: the Gitpod convention. The URL may come percent-encoded from some links. */
function contextFromHash(): string | null {
  const raw = location.hash.slice(1).trim();
  if (!raw) return null;
  return /^[a-z]+%3A/i.test(raw) ? decodeURIComponent(raw) : raw;
}

async function openWorkspace(contextUrl: string) {
  const created = await api<ApiWorkspace>('POST', '/api/workspaces', { contextUrl });
  navigate(`/w/${created.id}`);
}

function OpenForm() {
  const fromHash = useRef(contextFromHash());
  const [url, setUrl] = useState(fromHash.current ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const open = async (contextUrl: string) => {
    setBusy(true);
    setError(null);
    try {
      await openWorkspace(contextUrl);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  // The page is for pasting a URL: the box has the keyboard from the start.
  useEffect(() => input.current?.focus(), []);

  useEffect(() => {
    // Opened as /#<url>: create it right away; the hash goes so a reload does not make another.
    const fromUrl = (context: string | null) => {
      if (!context) return;
      history.replaceState(null, '', '/');
      setUrl(context);
      void open(context);
    };
    fromUrl(fromHash.current);
    // Pasting /#<url> into the address bar of an open dashboard changes only the hash.
    const onHash = () => fromUrl(contextFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  return (
    <form
      class="card open-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (url.trim()) void open(url.trim());
      }}
    >
      <label for="context-url">Open a repository</label>
      <div class="row">
        <input
          id="context-url"
          ref={input}
          name="contextUrl"
          placeholder="https://github.com/owner/repo, a branch, commit, PR or issue URL"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          spellcheck={false}
          autocomplete="off"
        />
        <button type="submit" class="btn btn-primary" disabled={busy || !url.trim()}>
          {busy ? <span class="spinner" aria-hidden="true" /> : null}
          {busy ? 'Opening…' : 'Open'}
        </button>
      </div>
      <div class="error-slot">
        {error ? (
          <div class="error" role="alert" data-testid="open-error">
            {error}
          </div>
        ) : (
          <p class="hint">
            Tip: prefix any repository URL with <code>{location.origin}/#</code> to open it in one click.
          </p>
        )}
      </div>
    </form>
  );
}

function WorkspaceRow({ ws, onChange }: { ws: ApiWorkspace; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const act = (verb: 'stop' | 'start') => async () => {
    setError(null);
    await api('POST', `/api/workspaces/${ws.id}/${verb}`);
    onChange();
  };
  const remove = async () => {
    setError(null);
    await api('DELETE', `/api/workspaces/${ws.id}`);
    onChange();
  };
  // A failed workspace answers Start with 409: it offers Retry (the same context, opened again) instead.
  const retry = async () => {
    setError(null);
    const created = await api<ApiWorkspace>('POST', '/api/workspaces', { contextUrl: ws.contextUrl });
    navigate(`/w/${created.id}`);
  };
  const canStop = ws.status === 'running' || ws.status === 'starting' || ws.status === 'building' || ws.status === 'pending';
  const badge = statusLabel(ws);
  const reason = oneLineReason(ws);
  return (
    <tr data-workspace={ws.id}>
      <td>
        <a href={`/w/${ws.id}`} class="strong">
          {printable(ws.repoName)}
        </a>
        <div class="muted small ellipsis block" title={printable(ws.repoUrl)}>
          {printable(ws.repoUrl)}
        </div>
        {reason ? (
          <div class="small bad-text ellipsis block" data-testid="reason" title={reason}>
            {reason}
          </div>
        ) : null}
        {error ? <ErrorBox error={error} /> : null}
      </td>
      <td>{shown(ws.branch, '—')}</td>
      <td>
        <code>{shortSha(ws.commit)}</code>
      </td>
      <td>
        <Status value={ws.status} label={badge.label} bad={badge.bad} />
      </td>
      <td class="muted">{ws.startedFrom ?? '—'}</td>
      <td class="muted" title={ws.createdAt}>
        {age(ws.createdAt)}
      </td>
      <td class="actions">
        <a class="btn btn-small btn-plain" href={`/w/${ws.id}`}>
          Open
        </a>
        {ws.status === 'failed' ? (
          <ActionButton small onClick={retry} busyLabel="Opening…" onError={setError}>
            Retry
          </ActionButton>
        ) : canStop ? (
          <ActionButton small onClick={act('stop')} busyLabel="Stopping…" onError={setError} disabled={ws.status === 'stopping'}>
            Stop
          </ActionButton>
        ) : (
          <ActionButton small onClick={act('start')} busyLabel="Starting…" onError={setError} disabled={ws.status === 'stopping'}>
            Start
          </ActionButton>
        )}
        <ActionButton
          small
          onClick={remove}
          busyLabel="Deleting…"
          kind="danger"
          onError={setError}
          confirm={`Delete workspace ${ws.repoName} (${ws.id})? Its files are removed.`}
        >
          Delete
        </ActionButton>
      </td>
    </tr>
  );
}

function Workspaces() {
  const [fast, setFast] = useState(false);
  const { data, error, refresh } = usePoll(() => api<ApiWorkspace[]>('GET', '/api/workspaces'), fast ? 1500 : 5000);
  useEffect(() => setFast(!!data?.some((w) => BUSY.includes(w.status))), [data]);
  const list = data ? [...data].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) : null;
  return (
    <Section title="Workspaces">
      <ErrorBox error={error} />
      {!list ? (
        <p class="muted loading">Loading workspaces…</p>
      ) : list.length === 0 ? (
        <p class="muted empty">No workspaces yet. Paste a repository URL above to open one.</p>
      ) : (
        <table class="table" data-testid="workspaces">
          <thead>
            <tr>
              <th>Repository</th>
              <th>Branch</th>
              <th>Commit</th>
              <th>Phase</th>
              <th>From</th>
              <th>Age</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((ws) => (
              <WorkspaceRow key={ws.id} ws={ws} onChange={refresh} />
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** The newest prebuild of each branch, newest branches first. */
export function newestPerBranch(prebuilds: ApiPrebuild[]): ApiPrebuild[] {
  const byBranch = new Map<string, ApiPrebuild>();
  for (const p of prebuilds) {
    const known = byBranch.get(p.branch ?? '');
    if (!known || p.createdAt > known.createdAt) byBranch.set(p.branch ?? '', p);
  }
  return [...byBranch.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function Projects() {
  const { data, error } = usePoll(async () => {
    const projects = await api<ApiProject[]>('GET', '/api/projects');
    return Promise.all(
      projects.map(async (project) => {
        const prebuilds = await api<ApiPrebuild[]>('GET', `/api/prebuilds?projectId=${encodeURIComponent(project.id)}`).catch(() => null);
        return { project, newest: prebuilds ? newestPerBranch(prebuilds) : null };
      }),
    );
  }, 8000);
  return (
    <Section
      title="Projects"
      actions={
        <a class="btn btn-small btn-plain" href="/projects">
          New project
        </a>
      }
    >
      <ErrorBox error={error} title="Projects are not available" />
      {!data && !error ? <p class="muted loading">Loading projects…</p> : null}
      {data && data.length === 0 ? <p class="muted empty">No projects. A project prebuilds a repository on every push, so workspaces start fast.</p> : null}
      {data && data.length > 0 ? (
        <ul class="projects">
          {data.map(({ project, newest }) => (
            <li key={project.id}>
              <a href={`/projects/${project.id}`} class="strong">
                {printable(project.name)}
              </a>
              <span class="muted small ellipsis repo-url">{printable(project.repoUrl)}</span>
              <div class="branches">
                {newest === null ? <span class="muted small">prebuilds unavailable</span> : null}
                {newest?.length === 0 ? <span class="muted small">no prebuilds yet</span> : null}
                {newest?.map((p) => (
                  <a key={p.id} href={`/prebuilds/${p.id}`} class="branch">
                    <span>{shown(p.branch, 'default branch')}</span> <Status value={p.status} />
                  </a>
                ))}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

export function DashboardPage() {
  return (
    <div class="stack">
      <OpenForm />
      <Workspaces />
      <Projects />
    </div>
  );
}
