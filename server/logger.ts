/**
 * The one pino logger of a Slipway process, made first by the composition
 * root (app.ts): fastify takes it as its `loggerInstance`, and every module
 * gets a child that names it (`{module: 'workspaces'}`), so a line says who
 * wrote it. Secrets are redacted and names printed inert here, in one place.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { printable, printableLogOptions } from './core/printable.js';
import { redactUrl } from './http/caller.js';

export type { Logger };

/** `false`: no output (tests); an object: pino options laid over Slipway's (a level, a stream's options). */
export type LoggerOption = boolean | Record<string, unknown>;

/** `destination`: where lines go (stdout unless given: tests read the lines back). */
export function createLogger(options: { level: string; override?: LoggerOption; destination?: DestinationStream }): Logger {
  const override = typeof options.override === 'object' ? options.override : {};
  const pinoOptions = {
    level: options.level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: printable(redactUrl(req.url)), ip: req.ip }),
    },
    // Names, branches and URLs in any log line are shown, never interpreted, by whatever displays the log.
    ...printableLogOptions,
    ...(options.override === false ? { enabled: false } : {}),
    ...override,
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}
