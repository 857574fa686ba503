/**
 * Port numbers and ranges, shared by both formats. A range stays one entry
 * (start and end) in the spec, the proxy and the UI, so a wide one costs
 * nothing: real repositories declare `8092-10000`, and it is accepted
 * (`slipway validate` warns past LARGE_RANGE_PORTS).
 */
import type { PortSpec } from './model.js';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
/** A range wider than this is worth a look (`slipway validate` warns): often a typo for a smaller one. */
export const LARGE_RANGE_PORTS = 1000;

export type PortParse = { ok: true; port: number; endPort: number | null } | { ok: false; message: string };

const RANGE = /^\s*(\d+)\s*-\s*(\d+)\s*$/;
const SINGLE = /^\s*(\d+)\s*$/;

/**
 * Reads a port given as a number, a numeric string or a range string
 * `3000-3010`. `where` is the key path shown in messages, e.g. `ports[0].port`.
 */
export function parsePort(value: unknown, where: string): PortParse {
  const expected = `\`${where}\` must be a number from ${MIN_PORT} to ${MAX_PORT} or a range like 3000-3010`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < MIN_PORT || value > MAX_PORT) {
      return { ok: false, message: `${expected}, got ${value}` };
    }
    return { ok: true, port: value, endPort: null };
  }
  if (typeof value !== 'string') {
    return {
      ok: false,
      message: `${expected}, got ${value === null ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : String(value)}`,
    };
  }
  const single = SINGLE.exec(value);
  if (single) return parsePort(Number(single[1]), where);
  const range = RANGE.exec(value);
  if (!range) return { ok: false, message: `${expected}, got ${JSON.stringify(value)}` };
  const start = Number(range[1]);
  const end = Number(range[2]);
  for (const n of [start, end]) {
    if (n < MIN_PORT || n > MAX_PORT) {
      return { ok: false, message: `${expected}; ${n} in ${JSON.stringify(value)} is outside ${MIN_PORT}-${MAX_PORT}` };
    }
  }
  if (end < start) {
    return { ok: false, message: `\`${where}\` range ${JSON.stringify(value)} ends before it starts; write ${end}-${start}` };
  }
  return { ok: true, port: start, endPort: end === start ? null : end };
}

/** A port with Slipway's defaults: private, notify, http (DESIGN §3). */
export function defaultPort(port: number, endPort: number | null): PortSpec {
  return { port, endPort, onOpen: 'notify', visibility: 'private', name: null, description: null, protocol: 'http' };
}

/** devcontainer `onAutoForward` → the gitpod-style `onOpen` the model uses. */
export const ON_AUTO_FORWARD: Readonly<Record<string, PortSpec['onOpen']>> = {
  openBrowser: 'open-browser',
  openBrowserOnce: 'open-browser',
  openPreview: 'open-preview',
  notify: 'notify',
  silent: 'silent',
  ignore: 'ignore',
};

/** True when `port` lies in the port or range of `spec`. */
export function portMatches(spec: PortSpec, port: number): boolean {
  return spec.endPort === null ? spec.port === port : port >= spec.port && port <= spec.endPort;
}
