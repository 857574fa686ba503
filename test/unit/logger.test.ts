/**
 * The process's one logger (server/logger.ts), read back as the JSON lines it
 * writes: each module's child names the module, secrets in requests are
 * redacted, names are printed inert, and fastify logs requests through it.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('names the module of a child, and prints names inert', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', destination });
    logger.child({ module: 'workspaces' }).warn({ branch: 'main\u001b[31m' }, 'open failed\u0007');
    logger.debug('below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ module: 'workspaces', level: 40, msg: 'open failed\\u0007', branch: 'main\\u001b[31m' });
  });

  it('writes nothing when turned off, and takes a level over the configured one', () => {
    const off = capture();
    createLogger({ level: 'info', override: false, destination: off.destination }).error('lost');
    expect(off.lines).toEqual([]);
    const debug = capture();
    createLogger({ level: 'info', override: { level: 'debug' }, destination: debug.destination }).debug('seen');
    expect(debug.lines.map((l) => l.msg)).toEqual(['seen']);
  });

  it('is the logger fastify writes requests with: tokens in the URL and the Authorization header are redacted', async () => {
    const { lines, destination } = capture();
    const app = Fastify({ loggerInstance: createLogger({ level: 'info', destination }) });
    app.get('/api/x', async () => ({ ok: true }));
    const response = await app.inject({ url: '/api/x?token=s3cret&a=1', headers: { authorization: 'Bearer s3cret', cookie: 'slipway_session=s3cret' } });
    expect(response.statusCode).toBe(200);
    await app.close();
    const incoming = lines.find((l) => l.msg === 'incoming request') as { req: { url: string; method: string } } | undefined;
    expect(incoming?.req).toMatchObject({ method: 'GET', url: '/api/x?token=[redacted]&a=1' });
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ res: { statusCode: 200 } });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
