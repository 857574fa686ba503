/**
 * Request bodies (DESIGN §10: hostile until parsed). JSON only, except for
 * webhooks, whose senders choose the format (GitHub and Gitea can send
 * `payload=<json>` forms) and whose signatures are over the exact bytes.
 * Size is capped by fastify's bodyLimit while the body streams in (413 before
 * the rest is read); nesting depth is checked with one pass over the bytes
 * before JSON.parse, so a 100 000-deep `[[[[` never reaches the parser or
 * any code that walks the value recursively.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { slipwayError } from '../core/errors.js';

export const MAX_JSON_DEPTH = 64;

/**
 * True when JSON text nests objects/arrays deeper than `max`. Works on bytes:
 * the structural characters are ASCII, and UTF-8 never has an ASCII byte
 * inside a multi-byte character. Brackets inside strings do not count.
 */
export function jsonTooDeep(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

function tooDeep() {
  return slipwayError('SLIPWAY_HTTP_BODY_TOO_DEEP', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels; send a flatter document`);
}

/** The one body parser of the API: `application/json`, nothing else (anything else is 415). */
export function useJsonBodies(app: FastifyInstance) {
  // fastify's built-in text/plain parser would take a cross-site form's body (enctype=text/plain).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    if (body.length === 0) return done(null, {});
    if (jsonTooDeep(body)) return done(tooDeep(), undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(slipwayError('SLIPWAY_HTTP_BAD_JSON', 'The request body is not valid JSON'), undefined);
    }
  });
}

export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * For the webhook routes' own scope: every content type is kept as raw bytes
 * (the webhook module parses and verifies them), still under bodyLimit and
 * the depth check: a JSON body, or the `payload` field of a form body.
 */
export function useRawWebhookBodies(scope: FastifyInstance) {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    (request as RawBodyRequest).rawBody = body;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const json = mediaType === 'application/x-www-form-urlencoded' ? Buffer.from(new URLSearchParams(body.toString('utf8')).get('payload') ?? '') : body;
    if (jsonTooDeep(json)) return done(tooDeep(), undefined);
    done(null, null);
  });
}
