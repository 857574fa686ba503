import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api.js';
import type { User } from '../api-types.js';
import { navigate } from '../router.js';

/** Only same-site paths are followed after login, so a link cannot bounce users elsewhere. */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage({ onLogin }: { onLogin: (user: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api<{ user: User }>('POST', '/api/auth/login', { username, password }, { quiet401: true });
      onLogin(user);
      const next = nextPath();
      // Port URLs and the port login handoff are served by the server, not this app: load them for real.
      if (next.startsWith('/ports/') || next.startsWith('/ports-auth')) location.assign(next);
      else navigate(next, { replace: true });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <form class="card login" onSubmit={submit}>
        <div class="brand brand-big">
          <span class="logo" aria-hidden="true" />
          Slipway
        </div>
        <p class="muted">Sign in to open workspaces.</p>
        <label>
          Username
          <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autofocus />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        <div class="error-slot">
          {error ? (
            <div class="error" role="alert">
              {error}
            </div>
          ) : null}
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? <span class="spinner" aria-hidden="true" /> : null}
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
