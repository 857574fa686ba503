import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';
import { sendLog } from './log-response.js';
import { idRoute, logRoute, newWorkspaceInvalid, newWorkspaceRoute } from './schemas.js';

export function registerWorkspaceRoutes(app: FastifyInstance, deps: HttpDeps) {
  const { workspaces } = deps;
  interface IdParams {
    id: string;
  }

  app.post('/api/workspaces', { schema: newWorkspaceRoute, config: { invalid: newWorkspaceInvalid } }, async (request, reply) => {
    const body = request.body as { contextUrl: string };
    const workspace = await workspaces.create(request.caller!, body.contextUrl);
    return reply.code(202).send(workspace);
  });

  app.get('/api/workspaces', async (request) => workspaces.list(request.caller!));

  app.get('/api/workspaces/:id', { schema: idRoute }, async (request) => {
    const { id } = request.params as IdParams;
    const workspace = workspaces.get(request.caller!, id);
    workspaces.touch(id);
    return workspace;
  });

  app.get('/api/workspaces/:id/logs', { schema: logRoute }, async (request, reply) => {
    const { id } = request.params as IdParams;
    return sendLog(request, reply, workspaces.log(request.caller!, id));
  });

  app.post('/api/workspaces/:id/stop', { schema: idRoute }, async (request) => {
    const { id } = request.params as IdParams;
    return workspaces.stop(request.caller!, id);
  });

  app.post('/api/workspaces/:id/start', { schema: idRoute }, async (request) => {
    const { id } = request.params as IdParams;
    return workspaces.start(request.caller!, id);
  });

  app.delete('/api/workspaces/:id', { schema: idRoute }, async (request, reply) => {
    const { id } = request.params as IdParams;
    await workspaces.delete(request.caller!, id);
    return reply.code(204).send();
  });

  app.get('/api/workspaces/:id/terminals', { schema: idRoute }, async (request) => {
    const { id } = request.params as IdParams;
    return workspaces.terminals(request.caller!, id);
  });

  app.post('/api/workspaces/:id/terminals', { schema: idRoute }, async (request, reply) => {
    const { id } = request.params as IdParams;
    return reply.code(201).send(await workspaces.openTerminal(request.caller!, id));
  });
}
