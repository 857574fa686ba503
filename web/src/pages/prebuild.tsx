/** `/prebuilds/<id>`: a prebuild's status and its log, streamed live while it runs. */
import { api } from '../api.js';
import type { ApiPrebuild } from '../api-types.js';
import { LogView } from '../log-view.js';
import { ErrorBox, Section, Status, age, duration, shortSha, usePoll } from '../ui.js';
import { prebuildDuration } from './projects.js';

export function PrebuildPage({ id }: { id: string }) {
  const { data: p, error, refresh } = usePoll(() => api<ApiPrebuild>('GET', `/api/prebuilds/${id}`), 2000, [id]);
  return (
    <div class="stack">
      <Section title={p ? `Prebuild ${shortSha(p.commit)} on ${p.branch}` : 'Prebuild'} actions={p ? <Status value={p.status} /> : null}>
        <ErrorBox error={error} title="Cannot load the prebuild" />
        {p ? (
          <p class="muted">
            <a href={`/projects/${p.projectId}`}>Project</a> · started {age(p.startedAt)} · took {duration(prebuildDuration(p))}
            {p.imageRef ? (
              <>
                {' '}
                · image <code>{p.imageRef}</code>
              </>
            ) : null}
          </p>
        ) : null}
        {p?.error ? <div class="error">{p.error}</div> : null}
      </Section>
      <Section title="Log">
        <LogView url={`/api/prebuilds/${id}/logs`} live onEnd={refresh} />
      </Section>
    </div>
  );
}
