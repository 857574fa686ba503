/**
 * `slipway serve`: reads the configuration, makes the first admin, starts
 * the HTTP server and the reconciler, and shuts down cleanly on SIGINT/SIGTERM.
 * Workspaces keep running while the server is down; the next start adopts them.
 */
import { buildApp } from './app.js';
import { loadConfig } from './config/config.js';

export async function serve(): Promise<number> {
  const config = loadConfig();
  const app = await buildApp(config);
  const admin = await app.services.auth.bootstrapAdmin({ password: config.adminPassword, token: config.adminToken });
  for (const warning of admin.warnings) app.logger.warn(warning);
  if (admin.generatedPassword) {
    // Printed once, to the console only (never to the log file).
    process.stdout.write(
      `\nSlipway: first start. Sign in as "admin" with the password: ${admin.generatedPassword}\n(set SLIPWAY_ADMIN_PASSWORD to choose it)\n\n`,
    );
  }
  const docker = await app.services.runtime.ping();
  if (!docker.ok) app.logger.warn({ error: docker.error }, 'the Docker engine does not answer: run scripts/setup (npm run setup), or set DOCKER_HOST');
  await app.http.listen({ port: config.port, host: config.host });
  await app.startBackground();
  app.logger.info({ url: config.publicUrl }, 'Slipway is ready');

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  app.logger.info('shutting down');
  await app.close();
  return 0;
}
