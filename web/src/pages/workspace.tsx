/**
 * `/w/<id>`: while it starts, the phase and the live startup log; when
 * running, one terminal tab per task plus new shells, and the ports panel.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ApiWorkspace, TerminalInfo } from '../api-types.js';
import { LogView } from '../log-view.js';
import { navigate } from '../router.js';
import { TerminalView } from '../terminal.js';
import { ActionButton, ErrorBox, Status, age, duration, shortSha, usePoll } from '../ui.js';
import { PortsPanel } from './ports.js';
import { printable, shown } from '../printable.js';
import { exitText, failedTasks, statusLabel } from '../failure.js';

const STARTING = ['pending', 'building', 'starting'];
const LOG_TAB = 'log';

interface Tab {
  id: string;
  label: string;
  terminalId: string | null;
  kind: 'log' | 'task' | 'shell';
}

/** Task terminals first (named after their task), then shells in the order they were opened. */
function tabsOf(ws: ApiWorkspace): Tab[] {
  const tabs: Tab[] = [{ id: LOG_TAB, label: 'Startup log', terminalId: null, kind: 'log' }];
  const seen = new Set<string>();
  for (const task of ws.tasks) {
    if (!task.terminalId) continue;
    seen.add(task.terminalId);
    tabs.push({ id: task.terminalId, label: printable(task.name), terminalId: task.terminalId, kind: 'task' });
  }
  let n = 0;
  for (const t of ws.terminals) {
    if (seen.has(t.id)) continue;
    n += 1;
    tabs.push({ id: t.id, label: t.kind === 'task' ? printable(t.name) : `Terminal ${n}`, terminalId: t.id, kind: t.kind === 'task' ? 'task' : 'shell' });
  }
  return tabs;
}

/** The tab chosen in this browser tab, kept per workspace so a reload comes back to it. */
const tabKey = (id: string) => `slipway.tab.${id}`;
function savedTab(id: string): string | null {
  try {
    return sessionStorage.getItem(tabKey(id));
  } catch {
    return null;
  }
}
function saveTab(id: string, tab: string | null) {
  try {
    if (tab === null) sessionStorage.removeItem(tabKey(id));
    else sessionStorage.setItem(tabKey(id), tab);
  } catch {
    // not kept; the page still works
  }
}

export function WorkspacePage({ id }: { id: string }) {
  const [fast, setFast] = useState(true);
  const { data: ws, error, setData, refresh } = usePoll(() => api<ApiWorkspace>('GET', `/api/workspaces/${id}`), fast ? 1000 : 4000, [id]);
  const [tab, setTab] = useState<string>(() => savedTab(id) ?? LOG_TAB);
  const [actionError, setActionError] = useState<unknown>(null);
  // Each start gets its own log stream; bumping this re-follows from the top.
  const [logRun, setLogRun] = useState(0);
  const lastStatus = useRef<string | null>(null);
  // A tab restored after a reload counts as the user's choice.
  const chosen = useRef(savedTab(id) !== null);

  /** A tab the user picks is saved at once, not in an effect: a reload right after the click must find it. */
  const choose = (next: string) => {
    chosen.current = true;
    saveTab(id, next);
    setTab(next);
  };

  // Only a tab someone chose is kept (a click, a new terminal, the first task once running), not the log shown while starting.
  useEffect(() => {
    if (chosen.current) saveTab(id, tab);
  }, [id, tab]);

  useEffect(() => {
    if (!ws) return;
    setFast(STARTING.includes(ws.status) || ws.status === 'stopping');
    const was = lastStatus.current;
    lastStatus.current = ws.status;
    if (was && !STARTING.includes(was) && STARTING.includes(ws.status)) {
      setLogRun((n) => n + 1);
      setTab(LOG_TAB);
      chosen.current = false;
      saveTab(id, null);
    }
    // Once running, show the first task's terminal (unless the user picked a tab already).
    if (ws.status === 'running' && !chosen.current) {
      const first = tabsOf(ws).find((t) => t.kind !== 'log');
      if (first) {
        setTab(first.id);
        chosen.current = true;
      }
    }
    if (tab !== LOG_TAB && !ws.terminals.some((t) => t.id === tab)) {
      // That terminal is gone (or not back yet): the log, and the first task once running.
      setTab(LOG_TAB);
      chosen.current = false;
    }
  }, [ws]);

  if (!ws) {
    return (
      <div class="card">
        {error ? <ErrorBox error={error} title="Cannot load this workspace" /> : <p class="muted loading">Loading workspace…</p>}
        {error ? (
          <p>
            <a href="/">Back to the dashboard</a>
          </p>
        ) : null}
      </div>
    );
  }

  const running = ws.status === 'running';
  const tabs = tabsOf(ws);
  const act = (verb: 'stop' | 'start') => async () => {
    setActionError(null);
    const next = await api<ApiWorkspace>('POST', `/api/workspaces/${ws.id}/${verb}`);
    if (next && typeof next === 'object' && 'id' in next) setData(next);
    refresh();
  };
  const remove = async () => {
    await api('DELETE', `/api/workspaces/${ws.id}`);
    navigate('/');
  };
  // A failed workspace cannot be started again (409): retrying opens the same context as a new workspace.
  const retry = async () => {
    setActionError(null);
    const created = await api<ApiWorkspace>('POST', '/api/workspaces', { contextUrl: ws.contextUrl });
    navigate(`/w/${created.id}`);
  };
  const failed = ws.status === 'failed';
  const badge = statusLabel(ws);
  const taskFailures = running ? failedTasks(ws) : [];
  const newTerminal = async () => {
    setActionError(null);
    try {
      const created = await api<TerminalInfo>('POST', `/api/workspaces/${ws.id}/terminals`);
      setData({ ...ws, terminals: [...ws.terminals, created] });
      choose(created.id);
      refresh();
    } catch (e) {
      setActionError(e);
    }
  };
  const total = ws.timings.total;

  return (
    <div class="workspace">
      <header class="ws-head">
        <div class="ws-title">
          <h1>{printable(ws.repoName)}</h1>
          <div class="muted small">
            <span title={printable(ws.repoUrl)}>{printable(ws.repoUrl)}</span> · branch <strong>{shown(ws.branch, '—')}</strong> ·{' '}
            <code>{shortSha(ws.commit)}</code> ·{' '}
            {STARTING.includes(ws.status)
              ? phaseText(ws)
              : ws.startedFrom
                ? `started from ${ws.startedFrom === 'prebuild' ? 'a prebuild' : ws.startedFrom}`
                : 'did not start'}
            {total ? ` in ${duration(total)}` : ''} · created {age(ws.createdAt)}
          </div>
        </div>
        <div class="ws-actions">
          <Status value={ws.status} label={badge.label} bad={badge.bad} />
          {failed ? (
            <ActionButton onClick={retry} busyLabel="Opening…" onError={setActionError} kind="primary">
              Retry
            </ActionButton>
          ) : running || STARTING.includes(ws.status) ? (
            <ActionButton onClick={act('stop')} busyLabel="Stopping…" onError={setActionError}>
              Stop
            </ActionButton>
          ) : (
            <ActionButton onClick={act('start')} busyLabel="Starting…" onError={setActionError} disabled={ws.status === 'stopping'} kind="primary">
              Start
            </ActionButton>
          )}
          <ActionButton
            onClick={remove}
            busyLabel="Deleting…"
            kind="danger"
            onError={setActionError}
            confirm={`Delete workspace ${ws.repoName}? Its files are removed.`}
          >
            Delete
          </ActionButton>
        </div>
      </header>

      <div class="banner-slot">
        {failed ? (
          <div class="error failure" role="alert" data-testid="failure">
            <strong>The workspace failed to start.</strong>
            {ws.statusReason === null ? <p>No reason was recorded.</p> : <pre class="reason">{printable(ws.statusReason, { multiline: true })}</pre>}
            <p class="small">Retry opens the same context again as a new workspace; the startup log below shows what happened.</p>
          </div>
        ) : null}
        {taskFailures.length > 0 ? (
          <div class="error" role="alert" data-testid="task-failures">
            <strong>{badge.label[0]!.toUpperCase() + badge.label.slice(1)}.</strong>
            <ul class="failures">
              {taskFailures.map((t) => (
                <li key={t.terminalId ?? t.name}>
                  {printable(t.name)}: <code>{exitText(t.command, t.exitCode!)}</code>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {running && ws.lifecycle.failed ? (
          <div class="error" role="alert" data-testid="lifecycle-failure">
            <strong>A devcontainer lifecycle command failed; the workspace runs on.</strong>{' '}
            <code>{exitText(printable(ws.lifecycle.failed.command), ws.lifecycle.failed.exitCode)}</code>
          </div>
        ) : null}
        {ws.status === 'stopped' ? <div class="info">This workspace is stopped. Its files are kept; start it to get terminals back.</div> : null}
        <ErrorBox error={actionError} />
      </div>

      <div class="ws-body">
        <div class="ws-main">
          <div class="tabs" role="tablist">
            {tabs.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                class={tab === t.id ? 'tab active' : 'tab'}
                onClick={() => choose(t.id)}
                data-tab={t.kind}
              >
                {t.label}
                {t.terminalId && ws.terminals.find((x) => x.id === t.terminalId)?.state === 'exited' ? <span class="muted"> (exited)</span> : null}
              </button>
            ))}
            {running ? (
              <button type="button" class="tab tab-new" onClick={newTerminal} title="Open a new shell in the workspace">
                + New terminal
              </button>
            ) : null}
          </div>
          <div class="tab-body">
            <div style={{ display: tab === LOG_TAB ? 'block' : 'none' }} class="log-tab">
              <LogView key={logRun} url={`/api/workspaces/${ws.id}/logs`} live onEnd={refresh} />
            </div>
            {running
              ? tabs
                  .filter((t) => t.terminalId)
                  .map((t) => (
                    <TerminalView key={t.terminalId} workspaceId={ws.id} terminalId={t.terminalId!} active={tab === t.id} onNewTerminal={newTerminal} />
                  ))
              : null}
          </div>
        </div>
        <aside class="ws-side">
          <PortsPanel ws={ws} />
          <Phases ws={ws} />
        </aside>
      </div>
    </div>
  );
}

function phaseText(ws: ApiWorkspace): string {
  if (ws.status === 'pending') return 'Waiting to start…';
  if (ws.status === 'building') return 'Preparing the image (build output streams in the log)…';
  return 'Starting the container and tasks…';
}

function Phases({ ws }: { ws: ApiWorkspace }) {
  const steps = Object.entries(ws.timings).filter(([k]) => k !== 'total');
  return (
    <section class="panel">
      <h3>History</h3>
      <ol class="phases">
        {ws.phases.slice(-8).map((p, i) => (
          <li key={i}>
            <Status value={p.phase} still /> <span class="muted small">{new Date(p.at).toLocaleTimeString()}</span>
            {p.reason ? <div class="small muted">{p.reason}</div> : null}
          </li>
        ))}
      </ol>
      {steps.length > 0 ? (
        <>
          <h3>Last start</h3>
          <table class="timings">
            <tbody>
              {steps.map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td class="num">{duration(v)}</td>
                </tr>
              ))}
              {ws.timings.total ? (
                <tr class="strong">
                  <td>total</td>
                  <td class="num">{duration(ws.timings.total)}</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
