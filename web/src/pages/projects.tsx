/** Projects: create one (then show how to wire its webhook), list them, and a project's prebuilds. */
import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api.js';
import type { ApiPrebuild, ApiProject, ApiProjectInput } from '../api-types.js';
import { navigate } from '../router.js';
import { prebuildDuration, triggerText } from './prebuild.js';
import { ActionButton, CopyButton, ErrorBox, Section, Status, age, duration, shortSha, usePoll } from '../ui.js';
import { printable, shown } from '../printable.js';

const FORGES: { id: keyof ApiProject['webhookUrls']; name: string; how: string }[] = [
  { id: 'github', name: 'GitHub', how: 'Settings → Webhooks → Add webhook: this URL, content type application/json, the secret, "Just the push event".' },
  { id: 'gitlab', name: 'GitLab', how: 'Settings → Webhooks: this URL, the secret as "Secret token", trigger "Push events".' },
  { id: 'gitea', name: 'Gitea / Forgejo', how: 'Settings → Webhooks → Add webhook → Gitea: this URL, POST, application/json, the secret, "Push events".' },
  { id: 'bitbucket', name: 'Bitbucket', how: 'Repository settings → Webhooks → Add webhook: this URL, the secret, trigger "Repository push".' },
  {
    id: 'generic',
    name: 'Anything else',
    how: 'POST {"repoUrl","ref","after"} with X-Slipway-Signature-256: sha256=<HMAC-SHA256 of the body with the secret>.',
  },
];

export function WebhookInfo({ project }: { project: ApiProject }) {
  return (
    <div class="webhook" data-testid="webhook">
      <div class="kv">
        <span>Webhook URL</span>
        <code>{project.webhookUrl}</code>
        <CopyButton text={project.webhookUrl} />
      </div>
      {project.webhookSecret ? (
        <div class="kv">
          <span>Secret</span>
          <code>{project.webhookSecret}</code>
          <CopyButton text={project.webhookSecret} />
        </div>
      ) : (
        <p class="muted small">The secret is shown once, when the project is created.</p>
      )}
      <ul class="forges">
        {FORGES.map((f) => (
          <li key={f.id}>
            <strong>{f.name}</strong> <code>{project.webhookUrls[f.id]}</code> <CopyButton text={project.webhookUrls[f.id]} />
            <div class="small muted">{f.how}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function CreateProject({ onCreated }: { onCreated: (p: ApiProject) => void }) {
  const [repoUrl, setRepoUrl] = useState('');
  const [name, setName] = useState('');
  const [branches, setBranches] = useState('');
  const [poll, setPoll] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: ApiProjectInput = { repoUrl: repoUrl.trim() };
      if (name.trim()) body.name = name.trim();
      const list = branches.split(/[\s,]+/).filter(Boolean);
      if (list.length) body.prebuildBranches = list;
      if (poll.trim()) body.pollIntervalSeconds = Number(poll);
      if (token) body.accessToken = token;
      onCreated(await api<ApiProject>('POST', '/api/projects', body));
      setRepoUrl('');
      setName('');
      setBranches('');
      setPoll('');
      setToken('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form-grid" onSubmit={submit}>
      <label class="wide">
        Repository URL
        <input
          value={repoUrl}
          onInput={(e) => setRepoUrl(e.currentTarget.value)}
          placeholder="https://git.example.com/team/app.git"
          required
          spellcheck={false}
        />
      </label>
      <label>
        <span>
          Name <span class="muted">(optional)</span>
        </span>
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="from the repository" />
      </label>
      <label>
        Prebuild branches
        <input value={branches} onInput={(e) => setBranches(e.currentTarget.value)} placeholder="main, release/*" />
      </label>
      <label>
        Poll every (seconds)
        <input value={poll} onInput={(e) => setPoll(e.currentTarget.value)} type="number" min="0" placeholder="off (webhooks only)" />
      </label>
      <label>
        <span>
          Access token <span class="muted">(private repositories)</span>
        </span>
        <input value={token} onInput={(e) => setToken(e.currentTarget.value)} type="password" autocomplete="off" />
      </label>
      <div class="wide row">
        <button type="submit" class="btn btn-primary" disabled={busy || !repoUrl.trim()}>
          {busy ? <span class="spinner" /> : null}
          {busy ? 'Creating…' : 'Create project'}
        </button>
        {error ? <div class="error">{error}</div> : null}
      </div>
    </form>
  );
}

export function ProjectsPage() {
  const { data, error, refresh } = usePoll(() => api<ApiProject[]>('GET', '/api/projects'), 10000);
  const [created, setCreated] = useState<ApiProject | null>(null);
  return (
    <div class="stack">
      <Section title="New project">
        <p class="muted small">A project prebuilds its branches on every push, so workspaces for them start from a ready image.</p>
        <CreateProject
          onCreated={(p) => {
            setCreated(p);
            refresh();
          }}
        />
        {created ? (
          <div class="created">
            <h3>
              Project <a href={`/projects/${created.id}`}>{printable(created.name)}</a> created. Now add its webhook:
            </h3>
            <WebhookInfo project={created} />
          </div>
        ) : null}
      </Section>
      <Section title="Projects">
        <ErrorBox error={error} title="Projects are not available" />
        {!data && !error ? <p class="muted loading">Loading…</p> : null}
        {data?.length === 0 ? <p class="muted empty">No projects yet.</p> : null}
        {data && data.length > 0 ? (
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Repository</th>
                <th>Branches</th>
                <th>Polling</th>
              </tr>
            </thead>
            <tbody>
              {data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <a href={`/projects/${p.id}`} class="strong">
                      {printable(p.name)}
                    </a>
                  </td>
                  <td class="muted ellipsis">{printable(p.repoUrl)}</td>
                  <td>{shown(p.prebuildBranches?.join(', ')) || 'default branch'}</td>
                  <td class="muted">{p.pollIntervalSeconds ? `every ${p.pollIntervalSeconds}s` : 'off'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </div>
  );
}

export function ProjectPage({ id }: { id: string }) {
  const project = usePoll(() => api<ApiProject>('GET', `/api/projects/${id}`), 30000, [id]);
  const prebuilds = usePoll(() => api<ApiPrebuild[]>('GET', `/api/prebuilds?projectId=${encodeURIComponent(id)}`), 3000, [id]);
  const [ref, setRef] = useState('');
  const [error, setError] = useState<unknown>(null);
  const p = project.data;
  const list = prebuilds.data ? [...prebuilds.data].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) : null;
  return (
    <div class="stack">
      <Section
        title={p ? printable(p.name) : 'Project'}
        actions={
          <>
            <input class="input-small" placeholder="branch (default)" value={ref} onInput={(e) => setRef(e.currentTarget.value)} />
            <ActionButton
              kind="primary"
              busyLabel="Queuing…"
              onError={setError}
              onClick={async () => {
                setError(null);
                await api('POST', `/api/projects/${id}/prebuilds`, ref.trim() ? { ref: ref.trim() } : {});
                prebuilds.refresh();
              }}
            >
              Run prebuild
            </ActionButton>
            <ActionButton
              kind="danger"
              busyLabel="Deleting…"
              onError={setError}
              confirm="Delete this project? Its prebuilds stop being used for new workspaces."
              onClick={async () => {
                await api('DELETE', `/api/projects/${id}`);
                navigate('/projects');
              }}
            >
              Delete
            </ActionButton>
          </>
        }
      >
        <ErrorBox error={project.error} title="Cannot load the project" />
        <ErrorBox error={error} />
        {p ? (
          <>
            <p class="muted">
              {printable(p.repoUrl)} · branches {shown(p.prebuildBranches?.join(', ')) || 'default'} · polling{' '}
              {p.pollIntervalSeconds ? `every ${p.pollIntervalSeconds}s` : 'off'}
              {p.lastPolledAt ? ` (last ${age(p.lastPolledAt)})` : ''}
              {p.hasAccessToken ? ' · access token set' : ''}
            </p>
            {p.pollError ? <div class="error">Polling failed: {p.pollError}</div> : null}
            <details>
              <summary>Webhook setup</summary>
              <WebhookInfo project={p} />
            </details>
          </>
        ) : null}
      </Section>
      <Section title="Prebuilds">
        <ErrorBox error={prebuilds.error} title="Prebuilds are not available" />
        {!list && !prebuilds.error ? <p class="muted loading">Loading…</p> : null}
        {list?.length === 0 ? <p class="muted empty">No prebuilds yet: push to a prebuild branch or run one by hand.</p> : null}
        {list && list.length > 0 ? (
          <table class="table">
            <thead>
              <tr>
                <th>Commit</th>
                <th>Branch</th>
                <th>Status</th>
                <th>Duration</th>
                <th>Trigger</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.id}>
                  <td>
                    <a href={`/prebuilds/${b.id}`}>
                      <code>{shortSha(b.commit)}</code>
                    </a>
                  </td>
                  <td>{shown(b.branch, 'default')}</td>
                  <td>
                    <Status value={b.status} />
                  </td>
                  <td class="num">{duration(prebuildDuration(b))}</td>
                  <td class="muted small">{triggerText(b.trigger)}</td>
                  <td class="muted">{age(b.startedAt ?? b.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </div>
  );
}
