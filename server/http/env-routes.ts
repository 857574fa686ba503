/** Environment variables over HTTP (issue 16, item 6); checks and access live in projects/env-vars.ts. */
import type { FastifyInstance } from 'fastify';
import type { EnvService } from '../projects/env-vars.js';
import {
  idRoute,
  projectEnvPutInvalid,
  projectEnvPutRoute,
  projectEnvRoute,
  userEnvDeleteInvalid,
  userEnvDeleteRoute,
  userEnvPutInvalid,
  userEnvPutRoute,
} from './schemas.js';

interface EnvParams {
  id: string;
  name: string;
}

export function registerEnvRoutes(app: FastifyInstance, deps: { env: EnvService }) {
  const { env } = deps;
  app.get('/api/me/env', async (request) => env.listUser(request.caller!));
  app.put('/api/me/env/:name', { schema: userEnvPutRoute, config: { invalid: userEnvPutInvalid } }, async (request) =>
    env.putUser(request.caller!, (request.params as EnvParams).name, request.body as Record<string, unknown>),
  );
  app.delete('/api/me/env/:name', { schema: userEnvDeleteRoute, config: { invalid: userEnvDeleteInvalid } }, async (request, reply) => {
    env.deleteUser(request.caller!, (request.params as EnvParams).name, (request.query as { repositoryPattern: string }).repositoryPattern);
    return reply.code(204).send();
  });

  app.get('/api/projects/:id/env', { schema: idRoute }, async (request) => env.listProject(request.caller!, (request.params as EnvParams).id));
  app.put('/api/projects/:id/env/:name', { schema: projectEnvPutRoute, config: { invalid: projectEnvPutInvalid } }, async (request) => {
    const { id, name } = request.params as EnvParams;
    return env.putProject(request.caller!, id, name, request.body as Record<string, unknown>);
  });
  app.delete('/api/projects/:id/env/:name', { schema: projectEnvRoute }, async (request, reply) => {
    const { id, name } = request.params as EnvParams;
    env.deleteProject(request.caller!, id, name);
    return reply.code(204).send();
  });
}
