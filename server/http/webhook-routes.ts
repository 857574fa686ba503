/**
 * `POST /api/webhooks/:provider`: open (no auth), the signature is the
 * check. Order: verify (401 on a bad or missing signature, nothing queued)
 * → ignored events 204 → replayed delivery id 200 → one prebuild per pushed
 * branch the project prebuilds → 202. Reasons for a 401 are logged, never
 * sent (an unknown repository looks exactly like a wrong secret).
 * Bodies: raw bytes of any type (JSON, or a `payload=` form), in their own
 * scope, under the server's one body limit and the JSON depth check.
 */
import type { FastifyInstance } from 'fastify';
import { isSlipwayError } from '../core/errors.js';
import type { ProjectRecord } from '../store/projects.js';
import type { ProjectService } from '../projects/service.js';
import type { PrebuildService } from '../prebuilds/service.js';
import { useRawWebhookBodies, type RawBodyRequest } from './body.js';
import { webhookRoute } from './schemas.js';
import { createDeliveryLog, verifyAndParseWebhook, type WebhookProvider } from '../webhooks/index.js';

export function registerWebhookRoutes(app: FastifyInstance, deps: { projects: ProjectService; prebuilds: PrebuildService }) {
  app.register(async (scope) => {
    useRawWebhookBodies(scope);
    registerWebhookRoute(scope, deps);
  });
}

function registerWebhookRoute(app: FastifyInstance, deps: { projects: ProjectService; prebuilds: PrebuildService }) {
  const deliveries = createDeliveryLog();

  app.post('/api/webhooks/:provider', { schema: webhookRoute }, async (request, reply) => {
    const provider = (request.params as { provider: string }).provider as WebhookProvider;
    const rawBody = (request as RawBodyRequest).rawBody ?? Buffer.alloc(0);
    // secretsFor may be called once per repository key; remember which projects each index means.
    const candidates = new Map<string, ProjectRecord[]>();
    let result;
    try {
      result = verifyAndParseWebhook({
        provider,
        headers: request.headers,
        rawBody,
        secretsFor: (repoKey) => {
          const projects = deps.projects.byRepoKey(repoKey);
          candidates.set(repoKey, projects);
          return projects.map((p) => deps.projects.secretOf(p));
        },
      });
    } catch (error) {
      if (isSlipwayError(error) && error.status === 401) {
        request.log.warn({ provider, reason: (error.cause as Error | undefined)?.message ?? error.message }, 'webhook rejected');
      }
      throw error;
    }
    if (result.kind === 'ignored') return reply.code(204).send();
    if (deliveries.seen(provider, result.deliveryId)) return reply.code(200).send({ ignored: 'duplicate delivery', deliveryId: result.deliveryId });
    const project = candidates.get(result.repoKey)?.[result.matchedSecretIndex];
    if (!project) return reply.code(204).send();
    const prebuilds: { id: string; branch: string; commit: string; status: string; created: boolean }[] = [];
    const skipped: { branch: string; reason: string }[] = [];
    for (const push of result.pushes) {
      const outcome = await deps.prebuilds.onPush(project, push, `webhook:${provider}`);
      if (outcome.queued) {
        const p = outcome.queued.prebuild;
        prebuilds.push({ id: p.id, branch: push.branch, commit: p.commit, status: p.status, created: outcome.queued.created });
      } else {
        skipped.push({ branch: push.branch, reason: outcome.skipped ?? 'not prebuilt' });
      }
    }
    return reply.code(202).send({ projectId: project.id, prebuilds, skipped });
  });
}
