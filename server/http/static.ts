import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';

/** Serves the built web UI; the app's own routes (/, /w/<id>, /projects...) all get index.html. */
export function registerStatic(app: FastifyInstance, config: Config) {
  const index = path.join(config.webDir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', async (_request, reply) =>
      reply.type('text/plain').send('Slipway is running, but the web UI is not built: run `npm run build` (npm start builds it).\n'),
    );
    return;
  }
  const html = readFileSync(index, 'utf8');
  app.register(fastifyStatic, { root: config.webDir, prefix: '/', index: false, wildcard: false });
  const sendIndex = async (_request: unknown, reply: import('fastify').FastifyReply) => reply.type('text/html').header('cache-control', 'no-store').send(html);
  app.get('/', sendIndex);
  for (const route of ['/w/*', '/projects', '/projects/*', '/prebuilds/*', '/admin', '/admin/*', '/login']) app.get(route, sendIndex);
}
