/** Settings: users (admins create and list them) and the signed-in user's API tokens. */
import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api.js';
import type { ApiToken, NewToken, User } from '../api-types.js';
import { ActionButton, CopyButton, ErrorBox, Section, age, usePoll } from '../ui.js';

function Users() {
  const { data, error, refresh } = usePoll(() => api<User[]>('GET', '/api/users'), 30000);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    setDone(null);
    try {
      const user = await api<User>('POST', '/api/users', { username, password, isAdmin });
      setDone(`Created ${user.username}.`);
      setUsername('');
      setPassword('');
      setIsAdmin(false);
      refresh();
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Users">
      <form class="row wrap" onSubmit={submit}>
        <input placeholder="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autocomplete="off" />
        <input
          placeholder="password (8+ characters)"
          type="password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
          autocomplete="new-password"
        />
        <label class="check">
          <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.currentTarget.checked)} /> admin
        </label>
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </form>
      <div class="error-slot">{formError ? <div class="error">{formError}</div> : done ? <div class="ok-note">{done}</div> : null}</div>
      <ErrorBox error={error} />
      {data ? (
        <table class="table">
          <thead>
            <tr>
              <th>Username</th>
              <th>Role</th>
            </tr>
          </thead>
          <tbody>
            {data.map((u) => (
              <tr key={u.id}>
                <td>{u.username}</td>
                <td class="muted">{u.isAdmin ? 'admin' : 'user'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

function Tokens() {
  const { data, error, refresh } = usePoll(() => api<ApiToken[]>('GET', '/api/tokens'), 30000);
  const [name, setName] = useState('');
  const [fresh, setFresh] = useState<NewToken | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  return (
    <Section title="API tokens">
      <p class="muted small">
        For scripts and the CLI: <code>Authorization: Bearer &lt;token&gt;</code>. A token is shown once.
      </p>
      <div class="row">
        <input placeholder="token name, e.g. laptop" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <ActionButton
          kind="primary"
          busyLabel="Creating…"
          onError={setActionError}
          onClick={async () => {
            setActionError(null);
            setFresh(await api<NewToken>('POST', '/api/tokens', { name: name.trim() || 'token' }));
            setName('');
            refresh();
          }}
        >
          New token
        </ActionButton>
      </div>
      {fresh ? (
        <div class="kv fresh">
          <span>{fresh.name}</span>
          <code data-testid="new-token">{fresh.token}</code>
          <CopyButton text={fresh.token} />
        </div>
      ) : null}
      <ErrorBox error={actionError ?? error} />
      {data && data.length > 0 ? (
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td class="muted">{age(t.createdAt)}</td>
                <td class="actions">
                  <ActionButton
                    small
                    kind="danger"
                    busyLabel="Revoking…"
                    confirm={`Revoke token "${t.name}"? Anything using it stops working.`}
                    onError={setActionError}
                    onClick={async () => {
                      await api('DELETE', `/api/tokens/${t.id}`);
                      refresh();
                    }}
                  >
                    Revoke
                  </ActionButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

export function AdminPage({ user }: { user: User }) {
  return (
    <div class="stack">
      {user.isAdmin ? <Users /> : <p class="muted">Only admins manage users.</p>}
      <Tokens />
    </div>
  );
}
