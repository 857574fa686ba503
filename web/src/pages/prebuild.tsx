/** `/prebuilds/<id>`: a prebuild's status and its log, streamed live while it runs. */
import { api } from '../api.js';
import type { ApiPrebuild } from '../api-types.js';
import { LogView } from '../log-view.js';
import { useEffect, useState } from 'preact/hooks';
import { ActionButton, ErrorBox, Section, Status, age, duration, shortSha, usePoll } from '../ui.js';
import { printable, shown } from '../printable.js';

/** Finished prebuilds carry their duration; a running one counts up from its start. */
export const prebuildDuration = (p: ApiPrebuild) => p.durationMs ?? (p.startedAt && !p.finishedAt ? Date.now() - Date.parse(p.startedAt) : null);

/** `webhook:<provider>`, `poll`, `manual:<userId>` in words. */
export function triggerText(trigger: string): string {
  const [kind, detail] = trigger.split(':');
  if (kind === 'manual') return 'run by hand';
  if (kind === 'webhook') return `push (${detail ?? 'webhook'})`;
  if (kind === 'poll') return 'found by polling';
  return trigger;
}

export function PrebuildPage({ id }: { id: string }) {
  const [actionError, setError] = useState<unknown>(null);
  const [settled, setSettled] = useState(false);
  // Fast while it runs; a finished prebuild changes only when it is collected.
  const { data: p, error, refresh } = usePoll(() => api<ApiPrebuild>('GET', `/api/prebuilds/${id}`), settled ? 30_000 : 2000, [id]);
  const done = !!p && p.status !== 'queued' && p.status !== 'building';
  useEffect(() => setSettled(done), [done]);
  return (
    <div class="stack">
      <Section
        title={p ? `Prebuild ${shortSha(p.commit)} on ${shown(p.branch, 'the default branch')}` : 'Prebuild'}
        actions={
          p ? (
            <>
              <Status value={p.status} />
              {p.status === 'queued' || p.status === 'building' ? (
                <ActionButton
                  small
                  busyLabel="Canceling…"
                  onError={setError}
                  onClick={async () => (await api('POST', `/api/prebuilds/${id}/cancel`), refresh())}
                >
                  Cancel
                </ActionButton>
              ) : null}
            </>
          ) : null
        }
      >
        <ErrorBox error={error} title="Cannot load the prebuild" />
        <ErrorBox error={actionError} />
        {p ? (
          <p class="muted">
            <a href={`/projects/${p.projectId}`}>← Project</a> · {triggerText(p.trigger)} · queued {age(p.createdAt)} · {p.finishedAt ? 'took' : 'running for'}{' '}
            {duration(prebuildDuration(p))}
            {p.imageRef ? (
              <>
                {' '}
                · image <code>{p.imageRef}</code>
              </>
            ) : null}
          </p>
        ) : null}
        {p?.error ? <div class="error">{printable(p.error, { multiline: true })}</div> : null}
        {p && p.tasks.length > 0 ? (
          <table class="table">
            <tbody>
              {p.tasks.map((t) => (
                <tr key={t.name}>
                  <td>{printable(t.name)}</td>
                  <td class="muted">exit {t.exitCode ?? '—'}</td>
                  <td class="num">{duration(t.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Log">
        <LogView url={`/api/prebuilds/${id}/logs`} live onEnd={refresh} />
      </Section>
    </div>
  );
}
