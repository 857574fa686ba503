/**
 * Listening TCP ports from the text of /proc/net/tcp and /proc/net/tcp6
 * (concatenated is fine: every data line stands alone). Reading procfs needs
 * no tool in the image (no ss, no netstat), so it works in any workspace.
 */

export interface ListeningPort {
  port: number;
  /** Every address it listens on, e.g. ['127.0.0.1'] or ['0.0.0.0', '::']. */
  addresses: string[];
  /** Only 127.0.0.0/8, ::1 or ::ffff:127.x: the container's own IP cannot reach it. */
  loopbackOnly: boolean;
}

const LISTEN = '0A';
const LINE = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+[0-9A-Fa-f:]+\s+([0-9A-Fa-f]{2})\s/;

/** procfs prints each 32-bit word of the address in host (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse();
}

export function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Compress the longest run of zero groups, as inet_ntop does.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/**
 * Docker's embedded DNS server on user-defined networks: dockerd listens on
 * 127.0.0.11 (a random TCP port) inside every container's network namespace.
 * It is the engine's, not the workspace's, and not reachable as a port.
 */
const DOCKER_DNS = new Set(['127.0.0.11', '::ffff:127.0.0.11']);

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

export function parseListeningPorts(text: string): ListeningPort[] {
  const byPort = new Map<number, Set<string>>();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match || match[3]!.toUpperCase() !== LISTEN) continue;
    const port = parseInt(match[2]!, 16);
    const address = decodeAddress(match[1]!);
    if (port === 0 || DOCKER_DNS.has(address)) continue;
    const addresses = byPort.get(port) ?? new Set<string>();
    addresses.add(address);
    byPort.set(port, addresses);
  }
  return [...byPort]
    .sort(([a], [b]) => a - b)
    .map(([port, set]) => {
      const addresses = [...set].sort();
      return { port, addresses, loopbackOnly: addresses.every(isLoopback) };
    });
}
