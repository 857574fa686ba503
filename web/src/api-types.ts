/**
 * Wire types of the HTTP API (DESIGN §7). The server's own types are the one
 * source of truth, all from one server file: server/http/wire.ts.
 */
export type * from '../../server/http/wire.js';
