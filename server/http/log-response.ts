import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogStream } from '../core/log-stream.js';

/** Sends a log as text; with ?follow=1 keeps the response open and streams until the work ends. */
export function sendLog(request: FastifyRequest, reply: FastifyReply, log: LogStream) {
  const follow = ['1', 'true'].includes(String((request.query as { follow?: string }).follow ?? ''));
  reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store');
  if (!follow || log.ended) return reply.send(log.read());
  // Proxies must not buffer a live log.
  reply.header('x-accel-buffering', 'no');
  const body = new PassThrough();
  const unsubscribe = log.follow({ onData: (text) => body.write(text), onEnd: () => body.end() });
  request.raw.on('close', () => {
    unsubscribe();
    body.end();
  });
  return reply.send(body);
}
