/** Projects and prebuilds over HTTP (DESIGN §7). Access checks live in the services. */
import type { FastifyInstance } from 'fastify';
import type { ProjectService } from '../projects/service.js';
import type { PrebuildService } from '../prebuilds/service.js';
import { toApiPrebuild } from '../prebuilds/view.js';
import { sendLog } from './log-response.js';
import {
  idRoute,
  logRoute,
  manualPrebuildInvalid,
  manualPrebuildRoute,
  newProjectInvalid,
  newProjectRoute,
  prebuildListInvalid,
  prebuildListRoute,
  projectUpdateInvalid,
  projectUpdateRoute,
} from './schemas.js';

interface IdParams {
  id: string;
}
const bodyOf = (body: unknown) => (body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});

export function registerProjectRoutes(app: FastifyInstance, deps: { projects: ProjectService; prebuilds: PrebuildService }) {
  const { projects, prebuilds } = deps;

  app.post('/api/projects', { schema: newProjectRoute, config: { invalid: newProjectInvalid } }, async (request, reply) =>
    reply.code(201).send(await projects.create(request.caller!, bodyOf(request.body))),
  );
  app.get('/api/projects', async (request) => projects.list(request.caller!));
  app.get('/api/projects/:id', { schema: idRoute }, async (request) => projects.get(request.caller!, (request.params as IdParams).id));
  app.patch('/api/projects/:id', { schema: projectUpdateRoute, config: { invalid: projectUpdateInvalid } }, async (request) =>
    projects.update(request.caller!, (request.params as IdParams).id, bodyOf(request.body)),
  );
  app.delete('/api/projects/:id', { schema: idRoute }, async (request, reply) => {
    await projects.delete(request.caller!, (request.params as IdParams).id);
    return reply.code(204).send();
  });

  app.post('/api/projects/:id/prebuilds', { schema: manualPrebuildRoute, config: { invalid: manualPrebuildInvalid } }, async (request, reply) => {
    const result = await prebuilds.triggerByHand(request.caller!, (request.params as IdParams).id, bodyOf(request.body).ref);
    return reply.code(result.created ? 201 : 200).send({ ...toApiPrebuild(result.prebuild), created: result.created });
  });
}

export function registerPrebuildRoutes(app: FastifyInstance, deps: { prebuilds: PrebuildService }) {
  const { prebuilds } = deps;
  // A repeated ?projectId= is refused by the schema (it was a 500).
  app.get('/api/prebuilds', { schema: prebuildListRoute, config: { invalid: prebuildListInvalid } }, async (request) => {
    const { projectId } = request.query as { projectId?: string };
    return prebuilds.list(request.caller!, projectId || undefined);
  });
  app.get('/api/prebuilds/:id', { schema: idRoute }, async (request) => prebuilds.get(request.caller!, (request.params as IdParams).id));
  app.get('/api/prebuilds/:id/logs', { schema: logRoute }, async (request, reply) =>
    sendLog(request, reply, prebuilds.log(request.caller!, (request.params as IdParams).id)),
  );
  app.post('/api/prebuilds/:id/cancel', { schema: idRoute }, async (request) => prebuilds.cancel(request.caller!, (request.params as IdParams).id));
}
