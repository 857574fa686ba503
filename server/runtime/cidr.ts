/**
 * IPv4 CIDR arithmetic for the workspace network pool: parse, contain,
 * overlap, and pick the first free subnet of a pool. Pure, so the
 * allocation rule is unit-tested without an engine.
 */

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function ipv4ToInt(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

const size = (prefix: number) => 2 ** (32 - prefix);

/** `10.213.0.0/16` → Cidr, or null when it is not an IPv4 CIDR. Host bits are cleared. */
export function parseCidr(text: string): Cidr | null {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!match) return null;
  const ip = ipv4ToInt(match[1]!);
  const prefix = Number(match[2]);
  if (ip === null || prefix > 32) return null;
  return { base: ip - (ip % size(prefix)), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${intToIpv4(cidr.base)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + size(cidr.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);
}

/** The first `/prefix` subnet of `pool` that overlaps none of `taken`, or null when the pool is full. */
export function pickSubnet(pool: Cidr, prefix: number, taken: readonly Cidr[]): Cidr | null {
  const step = size(prefix);
  const end = pool.base + size(pool.prefix);
  for (let base = pool.base; base + step <= end; base += step) {
    const candidate = { base, prefix };
    if (!taken.some((t) => cidrsOverlap(candidate, t))) return candidate;
  }
  return null;
}

/** A remote address as a socket reports it (`::ffff:10.0.0.1` when listening on `::`) as an IPv4 number, or null. */
export function socketIpv4(address: string): number | null {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ipv4ToInt(plain);
}
