/**
 * The parts of devcontainer.json with their own small grammars: lifecycle
 * commands (three forms), environment maps, forwarded ports and their
 * attributes. Each reader reports problems at the offending node and returns
 * only well-typed values.
 */
import type { LifecycleCommand, PortSpec } from './model.js';
import { expectType, members, valueOf, type Checker, type JNode } from './jsonc-tree.js';
import { defaultPort, ON_AUTO_FORWARD, parsePort } from './ports.js';
import { closest, describeValue, formatPath, type PathSegment } from './positions.js';

export interface PartsCtx extends Checker {
  sub: (text: string) => string;
}

const COMMAND_FORMS = 'a command: text, a list of arguments, or an object of named commands';

function argv(c: PartsCtx, node: JNode, path: PathSegment[]): string[] | null {
  let ok = true;
  const out: string[] = [];
  (node.children ?? []).forEach((item, i) => {
    if (expectType(c, item, [...path, i], ['string'], 'text (one argument)')) out.push(c.sub(String(item.value)));
    else ok = false;
  });
  return ok ? out : null;
}

/**
 * A lifecycle command in any of its forms: `"npm ci"` (run by a shell),
 * `["npm", "ci"]` (run directly) or `{"a": "npm ci", "b": ["make"]}` (named,
 * run in parallel). An empty string or list means nothing to run → null.
 */
export function readCommand(c: PartsCtx, node: JNode | undefined, path: PathSegment[]): LifecycleCommand | null {
  if (!node || node.type === 'null') return null;
  if (node.type === 'string') {
    const text = c.sub(String(node.value));
    return text.trim() === '' ? null : text;
  }
  if (node.type === 'array') {
    const list = argv(c, node, path);
    return list && list.length > 0 ? list : null;
  }
  if (node.type === 'object') {
    const out: Record<string, string | string[]> = {};
    for (const m of members(node)) {
      const p = [...path, m.key];
      if (!m.value || !expectType(c, m.value, p, ['string', 'array'], 'text or a list of arguments')) continue;
      if (m.value.type === 'string') out[m.key] = c.sub(String(m.value.value));
      else {
        const list = argv(c, m.value, p);
        if (list) out[m.key] = list;
      }
    }
    return Object.keys(out).length > 0 ? out : null;
  }
  expectType(c, node, path, ['string', 'array', 'object'], COMMAND_FORMS);
  return null;
}

/**
 * An env map. Numbers and booleans become text; null means "unset" in
 * `remoteEnv` (returned as null so the caller can drop an earlier value).
 */
export function readEnv(c: PartsCtx, node: JNode | undefined, path: PathSegment[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (!node || node.type === 'null' || !expectType(c, node, path, ['object'], 'an object of NAME: "value"')) return out;
  for (const m of members(node)) {
    const v = m.value;
    if (!v) continue;
    if (v.type === 'null') out[m.key] = null;
    else if (v.type === 'string') out[m.key] = c.sub(String(v.value));
    else if (v.type === 'number' || v.type === 'boolean') out[m.key] = String(v.value);
    else expectType(c, v, [...path, m.key], ['string'], 'text');
  }
  return out;
}

/** `"db:5432"` → host and port; other strings are handed to parsePort (numbers, ranges). */
const HOST_PORT = /^([A-Za-z0-9.-]+):(\d+)$/;

export function readForwardPorts(c: PartsCtx, node: JNode | undefined): PortSpec[] {
  const ports: PortSpec[] = [];
  if (!node || node.type === 'null' || !expectType(c, node, ['forwardPorts'], ['array'])) return ports;
  (node.children ?? []).forEach((item, i) => {
    const path = ['forwardPorts', i];
    const where = formatPath(path);
    let value: unknown = valueOf(item);
    const hostPort = typeof value === 'string' ? HOST_PORT.exec(value) : null;
    if (hostPort) {
      const [, host, port] = hostPort;
      c.sink.warn(
        path,
        c.at(item.offset),
        `\`${where}\` names the host \`${host}\`; Slipway ignores the host part and proxies port ${port} of the workspace container`,
      );
      value = Number(port);
    }
    if (typeof value !== 'number' && typeof value !== 'string') {
      c.sink.error(path, c.at(item.offset), `\`${where}\` must be a port number or "host:port", got ${describeValue(value)}`);
      return;
    }
    const parsed = parsePort(value, where);
    if (!parsed.ok) c.sink.error(path, c.at(item.offset), parsed.message);
    else ports.push(defaultPort(parsed.port, parsed.endPort));
  });
  return ports;
}

const ATTRIBUTE_KEYS = ['label', 'onAutoForward', 'protocol', 'requireLocalPort', 'elevateIfNeeded'];
const PORT_KEY = /^\s*\d+\s*(-\s*\d+\s*)?$/;

/** Reads one `portsAttributes` entry into the PortSpec fields it sets. */
function readAttributes(c: PartsCtx, node: JNode, path: PathSegment[]): Partial<PortSpec> {
  const out: Partial<PortSpec> = {};
  for (const m of members(node)) {
    const p = [...path, m.key];
    const v = m.value;
    if (!v) continue;
    if (m.key === 'label' && expectType(c, v, p, ['string'])) out.name = String(v.value);
    else if (m.key === 'onAutoForward' && expectType(c, v, p, ['string'])) {
      const mapped = ON_AUTO_FORWARD[String(v.value)];
      if (mapped) out.onOpen = mapped;
      else c.sink.error(p, c.at(v.offset), `\`${formatPath(p)}\` must be one of ${Object.keys(ON_AUTO_FORWARD).join(', ')}; got ${describeValue(v.value)}`);
    } else if (m.key === 'protocol' && expectType(c, v, p, ['string'])) {
      if (v.value === 'http' || v.value === 'https') out.protocol = v.value;
      else c.sink.error(p, c.at(v.offset), `\`${formatPath(p)}\` must be http or https; got ${describeValue(v.value)}`);
    }
  }
  return out;
}

function warnUnknownAttributes(c: PartsCtx, node: JNode, path: PathSegment[]): void {
  for (const m of members(node)) {
    if (ATTRIBUTE_KEYS.includes(m.key)) continue;
    const guess = closest(m.key, ATTRIBUTE_KEYS);
    c.sink.warn(
      [...path, m.key],
      c.at(m.keyNode.offset),
      `unknown key \`${m.key}\` in \`${formatPath(path)}\`; Slipway ignores it${guess ? ` (did you mean \`${guess}\`?)` : ''}`,
    );
  }
}

/**
 * `portsAttributes`: a key that is a port applies to that forwarded port (or
 * declares it); a range key applies to the forwarded ports inside it (or
 * declares the range). Pattern and process-name keys are not supported.
 */
export function applyPortsAttributes(c: PartsCtx, node: JNode | undefined, ports: PortSpec[]): void {
  if (!node || node.type === 'null' || !expectType(c, node, ['portsAttributes'], ['object'])) return;
  for (const m of members(node)) {
    const path = ['portsAttributes', m.key];
    if (!PORT_KEY.test(m.key)) {
      c.sink.warn(path, c.at(m.keyNode.offset), `\`portsAttributes\` key ${JSON.stringify(m.key)} is not a port or a range like 3000-3010; Slipway ignores it`);
      continue;
    }
    const parsed = parsePort(m.key, formatPath(path));
    if (!parsed.ok) {
      c.sink.error(path, c.at(m.keyNode.offset), parsed.message);
      continue;
    }
    if (!m.value || !expectType(c, m.value, path, ['object'])) continue;
    warnUnknownAttributes(c, m.value, path);
    const attributes = readAttributes(c, m.value, path);
    const last = parsed.endPort ?? parsed.port;
    const targets = ports.filter((p) => p.endPort === null && p.port >= parsed.port && p.port <= last);
    if (targets.length === 0) {
      const declared = defaultPort(parsed.port, parsed.endPort);
      ports.push(declared);
      targets.push(declared);
    }
    for (const port of targets) Object.assign(port, attributes);
  }
}
