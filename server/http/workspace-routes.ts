import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';
import { sendLog } from './log-response.js';

export function registerWorkspaceRoutes(app: FastifyInstance, deps: HttpDeps) {
  const { workspaces } = deps;
  type IdParams = { id: string };

  app.post('/api/workspaces', async (request, reply) => {
    const body = (request.body ?? {}) as { contextUrl?: unknown };
    const workspace = await workspaces.create(request.caller!, body.contextUrl as string);
    return reply.code(202).send(workspace);
  });

  app.get('/api/workspaces', async (request) => workspaces.list(request.caller!));

  app.get('/api/workspaces/:id', async (request) => {
    const { id } = request.params as IdParams;
    const workspace = workspaces.get(request.caller!, id);
    workspaces.touch(id);
    return workspace;
  });

  app.get('/api/workspaces/:id/logs', async (request, reply) => {
    const { id } = request.params as IdParams;
    return sendLog(request, reply, workspaces.log(request.caller!, id));
  });

  app.post('/api/workspaces/:id/stop', async (request) => {
    const { id } = request.params as IdParams;
    return workspaces.stop(request.caller!, id);
  });

  app.post('/api/workspaces/:id/start', async (request) => {
    const { id } = request.params as IdParams;
    return workspaces.start(request.caller!, id);
  });

  app.delete('/api/workspaces/:id', async (request, reply) => {
    const { id } = request.params as IdParams;
    await workspaces.delete(request.caller!, id);
    return reply.code(204).send();
  });

  app.get('/api/workspaces/:id/terminals', async (request) => {
    const { id } = request.params as IdParams;
    return workspaces.terminals(request.caller!, id);
  });

  app.post('/api/workspaces/:id/terminals', async (request, reply) => {
    const { id } = request.params as IdParams;
    return reply.code(201).send(await workspaces.openTerminal(request.caller!, id));
  });
}
