/** The app shell: who is signed in, the header, and which page a path shows. */
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setUnauthorizedHandler } from './api.js';
import type { User } from './api-types.js';
import { navigate, onLinkClick, useLocation } from './router.js';
import { LoginPage } from './pages/login.js';
import { DashboardPage } from './pages/dashboard.js';
import { WorkspacePage } from './pages/workspace.js';
import { ProjectsPage, ProjectPage } from './pages/projects.js';
import { PrebuildPage } from './pages/prebuild.js';
import { AdminPage } from './pages/admin.js';
import { setThemeChoice, themeChoice, type ThemeChoice } from './theme.js';

/** Where to come back to after signing in, including a `#<repo-url>` to open. */
const here = () => location.pathname + location.search + location.hash;

function toLogin() {
  if (location.pathname === '/login') return;
  navigate(`/login?next=${encodeURIComponent(here())}`, { replace: true });
}

function App() {
  const path = useLocation();
  const [user, setUser] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setUser(null);
      toLogin();
    });
    api<{ user: User | null }>('GET', '/api/me', undefined, { quiet401: true })
      .then((me) => setUser(me.user ?? null))
      .catch(() => setUser(null));
  }, []);

  useEffect(() => {
    if (user === null && path !== '/login') toLogin();
  }, [user, path]);

  if (path === '/login') return <LoginPage onLogin={setUser} />;
  if (!user) return <div class="boot" aria-busy="true" />;

  const logout = async () => {
    await api('POST', '/api/auth/logout').catch(() => {});
    setUser(null);
    navigate('/login', { replace: true });
  };

  return (
    <div class="shell">
      <header class="topbar">
        <a href="/" class="brand">
          <span class="logo" aria-hidden="true" />
          Slipway
        </a>
        <nav>
          <a href="/" class={path === '/' || path.startsWith('/w/') ? 'active' : ''}>
            Workspaces
          </a>
          <a href="/projects" class={path.startsWith('/projects') || path.startsWith('/prebuilds') ? 'active' : ''}>
            Projects
          </a>
          <a href="/admin" class={path.startsWith('/admin') ? 'active' : ''}>
            Settings
          </a>
        </nav>
        <div class="who">
          <ThemePick />
          <span class="muted" data-testid="username">
            {user.username}
          </span>
          <button type="button" class="btn btn-plain btn-small" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main class={path.startsWith('/w/') ? 'main main-wide' : 'main'}>
        <Route path={path} user={user} />
      </main>
    </div>
  );
}

/** Light, dark or whatever the system says; remembered in this browser (theme.ts). */
function ThemePick() {
  const [choice, setChoice] = useState<ThemeChoice>(themeChoice);
  return (
    <select
      class="theme-pick"
      aria-label="Colour theme"
      data-testid="theme"
      value={choice}
      onChange={(e) => {
        const next = e.currentTarget.value as ThemeChoice;
        setChoice(next);
        setThemeChoice(next);
      }}
    >
      <option value="system">System theme</option>
      <option value="light">Light</option>
      <option value="dark">Dark</option>
    </select>
  );
}

function Route({ path, user }: { path: string; user: User }) {
  let m: RegExpExecArray | null;
  if (path === '/' || path === '') return <DashboardPage />;
  if ((m = /^\/w\/([^/]+)\/?$/.exec(path))) return <WorkspacePage key={m[1]} id={m[1]!} />;
  if (path === '/projects' || path === '/projects/') return <ProjectsPage />;
  if ((m = /^\/projects\/([^/]+)\/?$/.exec(path))) return <ProjectPage key={m[1]} id={m[1]!} />;
  if ((m = /^\/prebuilds\/([^/]+)\/?$/.exec(path))) return <PrebuildPage key={m[1]} id={m[1]!} />;
  if (path === '/admin' || path.startsWith('/admin/')) return <AdminPage user={user} />;
  return (
    <div class="card empty">
      <h2>Not found</h2>
      <p>
        There is no page at <code>{path}</code>. <a href="/">Back to the dashboard</a>
      </p>
    </div>
  );
}

document.addEventListener('click', onLinkClick);
render(<App />, document.getElementById('app')!);
