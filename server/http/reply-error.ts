/**
 * Sends a SlipwayError as an answer of the API: its status (the registry's,
 * unless the error was made with another) and the body `errorBody` writes, so
 * that every route, hook and handler answers in the one error shape.
 */
import type { FastifyReply } from 'fastify';
import { errorBody, type SlipwayError } from '../core/errors.js';

export function sendError(reply: FastifyReply, error: SlipwayError): FastifyReply {
  return reply.code(error.status).send(errorBody(error));
}
