/**
 * Which addresses the server may connect to for Git (pure, no I/O).
 *
 * A context URL, a project's repoUrl and every fetch make the server open a
 * connection to a host a user chose. Left alone that turns the server into
 * a scanner of its own network (an open-port oracle, reads from services that
 * trust the local network). So internal addresses are refused unless the
 * operator lists them in SLIPWAY_GIT_HOSTS_ALLOW; public ones stay open.
 * The decision is on the addresses a name resolves to, never on the name.
 */

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

export type AllowEntry =
  { kind: 'any' } | { kind: 'cidr'; cidr: Cidr } | { kind: 'ip'; ip: IpAddress; port: number | null } | { kind: 'host'; host: string; port: number | null };

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // Decimal only: "0177.0.0.1" (octal) or "0x7f.1" would be read differently by other resolvers.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let body = text;
  let tail: bigint[] = [];
  // An embedded IPv4 tail (::ffff:127.0.0.1) is two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4) {
    const low = parseIpv4(v4[2]!);
    if (low === null) return null;
    tail = [low >> 16n, low & 0xffffn];
    body = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): bigint[] | null => {
    if (s === '') return [];
    const out: bigint[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || rest === null) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const all = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest, ...tail];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An IPv4 or IPv6 address (brackets and a %zone allowed), or null. */
export function parseIp(text: string): IpAddress | null {
  let t = text.trim().toLowerCase();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  t = t.replace(/%[^%]*$/, '');
  const v4 = parseIpv4(t);
  if (v4 !== null) return { family: 4, value: v4 };
  if (!t.includes(':')) return null;
  const v6 = parseIpv6(t);
  return v6 === null ? null : { family: 6, value: v6 };
}

export function parseCidr(text: string): Cidr | null {
  const [address, bits, extra] = text.trim().split('/');
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return null;
  const ip = parseIp(address ?? '');
  const width = ip?.family === 4 ? 32 : 128;
  if (!ip || Number(bits) > width) return null;
  const shift = BigInt(width - Number(bits));
  return { family: ip.family, base: (ip.value >> shift) << shift, bits: Number(bits) };
}

export function inCidr(ip: IpAddress, cidr: Cidr): boolean {
  if (ip.family !== cidr.family) return false;
  const shift = BigInt((ip.family === 4 ? 32 : 128) - cidr.bits);
  return ip.value >> shift === cidr.base >> shift;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}

const ranges = (list: [string, string][]): [Cidr, string][] => list.map(([c, why]) => [parseCidr(c)!, why]);

const INTERNAL_V4 = ranges([
  ['0.0.0.0/8', '"this network" (0.0.0.0 reaches the local host)'],
  ['10.0.0.0/8', 'a private network'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', "a private network (Docker's default bridges)"],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.168.0.0/16', 'a private network'],
  ['198.18.0.0/15', 'benchmarking'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved / broadcast'],
]);

const INTERNAL_V6 = ranges([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'discard'],
  ['fc00::/7', 'a unique local (private) network'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
]);

/** IPv6 forms that carry an IPv4 address the packet ends up at. */
const EMBEDS_V4: [Cidr, (v: bigint) => bigint][] = [
  [parseCidr('::ffff:0:0/96')!, (v) => v & 0xffffffffn], // IPv4-mapped
  [parseCidr('::/96')!, (v) => v & 0xffffffffn], // IPv4-compatible (deprecated)
  [parseCidr('64:ff9b::/96')!, (v) => v & 0xffffffffn], // NAT64
  [parseCidr('2002::/16')!, (v) => (v >> 80n) & 0xffffffffn], // 6to4
];

/** Why an address is internal ("loopback", ...), or null for a public address. */
export function internalReason(ip: IpAddress): string | null {
  for (const [cidr, why] of ip.family === 4 ? INTERNAL_V4 : INTERNAL_V6) if (inCidr(ip, cidr)) return why;
  if (ip.family === 6) {
    for (const [cidr, low] of EMBEDS_V4) {
      if (!inCidr(ip, cidr)) continue;
      const inner = internalReason({ family: 4, value: low(ip.value) });
      if (inner) return `${inner} (IPv4 inside IPv6)`;
    }
  }
  return null;
}

function splitPort(text: string): { host: string; port: number | null } | null {
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracket) return { host: `[${bracket[1]}]`, port: bracket[2] ? Number(bracket[2]) : null };
  // A bare IPv6 address has several colons and no port.
  if ((text.match(/:/g) ?? []).length > 1) return { host: text, port: null };
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return null;
  return { host: m[1]!, port: m[2] ? Number(m[2]) : null };
}

/**
 * SLIPWAY_GIT_HOSTS_ALLOW: comma-separated `*`, host names, IP addresses,
 * `host:port` / `ip:port` / `[v6]:port`, or CIDR ranges. Throws an Error
 * naming the first bad entry.
 */
export function parseAllowList(raw: string | null | undefined): AllowEntry[] {
  const out: AllowEntry[] = [];
  for (const item of (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    if (item === '*') {
      out.push({ kind: 'any' });
      continue;
    }
    if (item.includes('/')) {
      const cidr = parseCidr(item);
      if (!cidr) throw new Error(`"${item}" is not a CIDR range like 10.0.0.0/8 or fd00::/8`);
      out.push({ kind: 'cidr', cidr });
      continue;
    }
    const split = splitPort(item);
    if (!split || (split.port !== null && (split.port < 1 || split.port > 65535))) throw new Error(`"${item}" is not a host, host:port, address or CIDR range`);
    const ip = parseIp(split.host);
    if (ip) out.push({ kind: 'ip', ip, port: split.port });
    else if (/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.?$/.test(split.host)) out.push({ kind: 'host', host: split.host.replace(/\.$/, ''), port: split.port });
    else throw new Error(`"${item}" is not a host, host:port, address or CIDR range`);
  }
  return out;
}

export interface ConnectTarget {
  /** The URL's host name, lower case, IPv6 without brackets. */
  host: string;
  port: number;
  /** Every address the host name resolves to. */
  addresses: IpAddress[];
}

export interface EgressPolicy {
  allow: AllowEntry[];
  /** Ports this server listens on: refused on any address unless allowed with that exact port. */
  ownPorts: number[];
  /** This machine's own interface addresses: they reach whatever listens on 0.0.0.0. */
  ownAddresses: IpAddress[];
  /** More internal ranges (Docker networks' subnets). */
  extraInternal: Cidr[];
}

function entryAdmits(entry: AllowEntry, target: ConnectTarget, address: IpAddress, needPort: boolean): boolean {
  switch (entry.kind) {
    case 'any':
      return true;
    case 'cidr':
      return !needPort && inCidr(address, entry.cidr);
    case 'ip':
      return entry.ip.family === address.family && entry.ip.value === address.value && (entry.port === null ? !needPort : entry.port === target.port);
    case 'host':
      return entry.host === target.host.replace(/\.$/, '') && (entry.port === null ? !needPort : entry.port === target.port);
  }
}

/**
 * May the server connect to `target`? Every resolved address must be public
 * or admitted by the allow list (one internal answer among public ones is
 * how DNS rebinding starts). The reason is for the server's log only.
 */
export function decideEgress(target: ConnectTarget, policy: EgressPolicy): { ok: true } | { ok: false; reason: string } {
  if (target.addresses.length === 0) return { ok: false, reason: 'the host name resolves to no address' };
  const ownPort = policy.ownPorts.includes(target.port);
  for (const address of target.addresses) {
    let reason = internalReason(address);
    if (!reason && policy.ownAddresses.some((a) => a.family === address.family && a.value === address.value)) reason = 'an address of this server';
    if (!reason && policy.extraInternal.some((c) => inCidr(address, c))) reason = 'a Docker network';
    if (ownPort) reason = `this server's own port ${target.port}`;
    if (reason && !policy.allow.some((e) => entryAdmits(e, target, address, ownPort))) {
      return { ok: false, reason: `${formatIp(address)} is ${reason}` };
    }
  }
  return { ok: true };
}
