/**
 * One bridge network per workspace container (issue 12 item 6). Docker keeps
 * separate bridges apart (its isolation chains drop traffic between them),
 * so a workspace reaches no other workspace, while the host, where the port
 * proxy runs, still reaches every container. Subnets come from an explicit
 * pool the server allocates from (Docker's own default pools run out near
 * 30 bridges), and every address of that pool is refused at the server's
 * socket (see `isWorkspaceAddress` and the README).
 *
 * Shared-object discipline (item 7): a network is created once per name
 * (one in-flight promise per name), found by its labels rather than its name,
 * adopted when present, and containers join it by id, so a duplicate name
 * can never make a start fail as "ambiguous". `repair` removes empty
 * duplicates at start.
 */
import type Docker from 'dockerode';
import { networkInterfaces } from 'node:os';
import { errorMessage, slipwayError } from '../core/errors.js';
import { cidrContains, formatCidr, intToIpv4, parseCidr, pickSubnet, socketIpv4, type Cidr } from './cidr.js';

export interface NetworkPool {
  /** The address range workspace networks are cut from, e.g. `10.213.0.0/16`. */
  cidr: string;
  /** Prefix length of each workspace's subnet, e.g. 28 (13 addresses for its containers). */
  prefix: number;
}

export interface NetworkOptions {
  instanceId: string;
  /** The one shared network of versions before per-workspace networks; containers still on it are moved off. */
  legacyName: string;
  pool: NetworkPool;
}

export interface OwnNetwork {
  id: string;
  name: string;
}

export const DEFAULT_POOL: NetworkPool = { cidr: '10.213.0.0/16', prefix: 28 };

const KIND = 'workspace-network';
/** A network younger than this is never collected: its container may be being created right now. */
const COLLECT_GRACE_MS = 10 * 60_000;

type NetworkInfo = Docker.NetworkInspectInfo;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ipv4Subnets(info: NetworkInfo): Cidr[] {
  return (info.IPAM?.Config ?? []).map((c) => (c.Subnet ? parseCidr(c.Subnet) : null)).filter((c): c is Cidr => c !== null);
}

/** Host interface networks: a workspace subnet there would shadow the host's own route. */
function hostSubnets(): Cidr[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4' && !!i.cidr)
    .map((i) => parseCidr(i.cidr!))
    .filter((c): c is Cidr => c !== null);
}

export function createNetworks(docker: Docker, options: NetworkOptions) {
  const pool = parseCidr(options.pool.cidr);
  if (!pool || options.pool.prefix < pool.prefix || options.pool.prefix > 29) {
    throw slipwayError(
      'SLIPWAY_CONFIG_INVALID',
      `The network pool ${options.pool.cidr} cannot be cut into /${options.pool.prefix} subnets: set SLIPWAY_NETWORK_POOL to an IPv4 range and SLIPWAY_NETWORK_SUBNET_PREFIX between its prefix and 29`,
    );
  }
  const labels = (name: string) => ({ 'slipway.kind': KIND, 'slipway.network': name, 'slipway.instance': options.instanceId });
  const inFlight = new Map<string, Promise<OwnNetwork>>();
  // Subnets picked but not yet created: concurrent allocations must not pick them again.
  const reserved = new Map<string, Cidr>();
  let allocation: Promise<unknown> = Promise.resolve();
  // Addresses whose connections the server refuses: the pool, plus the subnets of older
  // pools and of the legacy shared network found at start (workspaces may still sit there).
  const refused: Cidr[] = [pool];

  async function find(name: string): Promise<NetworkInfo[]> {
    const found = await docker.listNetworks({ filters: { label: Object.entries(labels(name)).map(([k, v]) => `${k}=${v}`) } });
    // Oldest first: duplicates (made by an older version) resolve the same way every time.
    return found.sort((x, y) => Date.parse(x.Created) - Date.parse(y.Created));
  }

  /** Serialized: lists what exists, picks a free subnet, reserves it until its network exists. */
  function allocate(skip: Cidr[]): Promise<Cidr> {
    const next = allocation.then(async () => {
      const existing = (await docker.listNetworks()).flatMap(ipv4Subnets);
      const subnet = pickSubnet(pool!, options.pool.prefix, [...existing, ...reserved.values(), ...hostSubnets(), ...skip]);
      if (!subnet) {
        throw slipwayError(
          'SLIPWAY_RUNTIME_NETWORK_POOL_FULL',
          `No free /${options.pool.prefix} subnet is left in the workspace network pool ${options.pool.cidr}: delete unused workspaces, or give SLIPWAY_NETWORK_POOL a larger range`,
        );
      }
      reserved.set(formatCidr(subnet), subnet);
      return subnet;
    });
    allocation = next.catch(() => {});
    return next;
  }

  async function create(name: string): Promise<OwnNetwork> {
    const skip: Cidr[] = [];
    for (let attempt = 0; ; attempt++) {
      const subnet = await allocate(skip);
      const text = formatCidr(subnet);
      try {
        const network = await docker.createNetwork({
          Name: name,
          CheckDuplicate: true,
          Driver: 'bridge',
          Labels: labels(name),
          IPAM: { Driver: 'default', Config: [{ Subnet: text }] },
        });
        return { id: network.id, name };
      } catch (error) {
        const message = errorMessage(error);
        // Another server on the same engine took that subnet meanwhile: try the next one.
        if (/overlap/i.test(message) && attempt < 16) {
          skip.push(subnet);
          continue;
        }
        if (/already exists/i.test(message)) {
          const [adopted] = await find(name);
          if (adopted) return { id: adopted.Id, name };
          throw slipwayError(
            'SLIPWAY_RUNTIME_NETWORK_TAKEN',
            `A Docker network named "${name}" exists but was not made by this Slipway server: remove it (docker network rm ${name})`,
          );
        }
        throw error;
      } finally {
        reserved.delete(text);
      }
    }
  }

  /**
   * How many containers (running or not: removing a stopped one's network
   * would make it fail to start) refer to a network. A container made but
   * never started names it only in NetworkMode (by id, or by name when an
   * older version made it), so the engine's `network` filter misses it.
   */
  async function usage(): Promise<(network: { Id: string; Name: string }) => number> {
    const containers = await docker.listContainers({ all: true });
    return (network) =>
      containers.filter((c) => {
        // NetworkMode by name is not enough: a workspace moved off the legacy network keeps its name there.
        const mode = c.HostConfig?.NetworkMode ?? '';
        const modeIsId = /^[0-9a-f]{12,64}$/.test(mode);
        if (modeIsId && network.Id.startsWith(mode)) return true;
        // An endpoint without a NetworkID is known by name only: the same-named network it was made
        // on by id (NetworkMode) is that one; by name, any of the duplicates could be (keep them all).
        return Object.entries(c.NetworkSettings?.Networks ?? {}).some(
          ([name, endpoint]) => endpoint.NetworkID === network.Id || (!endpoint.NetworkID && name === network.Name && !modeIsId),
        );
      }).length;
  }

  async function removeById(id: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await docker.getNetwork(id).remove();
        return;
      } catch (error) {
        const message = errorMessage(error);
        if (/no such network|not found|404/i.test(message)) return;
        // The engine may still be releasing the endpoint of a container removed a moment ago.
        if (/active endpoints/i.test(message) && attempt < 10) {
          await sleep(200);
          continue;
        }
        throw error;
      }
    }
  }

  const networks = {
    /** The network of one container (by its name), made on first use, adopted when it exists. */
    ensure(name: string): Promise<OwnNetwork> {
      const running = inFlight.get(name);
      if (running) return running;
      const work = (async () => {
        const [existing] = await find(name);
        return existing ? { id: existing.Id, name } : await create(name);
      })();
      inFlight.set(name, work);
      void work.finally(() => inFlight.delete(name)).catch(() => {});
      return work;
    },

    /** Removes the networks made for a container once no container (running or not) is attached. */
    async remove(name: string): Promise<void> {
      await inFlight.get(name)?.catch(() => {});
      const found = await find(name);
      if (found.length === 0) return;
      const used = await usage();
      for (const network of found) {
        if (used(network) === 0) await removeById(network.Id);
      }
    },

    /**
     * At start: keeps one of each set of same-named networks (ours, and the
     * legacy shared one), the most used, and removes the others that no
     * container is attached to. Also learns the subnets to refuse.
     */
    async repair(): Promise<{ removed: string[]; keptDuplicates: string[] }> {
      const all = await docker.listNetworks();
      const candidates = all.filter((n) => n.Name === options.legacyName || n.Labels?.['slipway.instance'] === options.instanceId);
      for (const n of candidates) {
        for (const subnet of ipv4Subnets(n)) if (!refused.some((r) => r.base === subnet.base && r.prefix === subnet.prefix)) refused.push(subnet);
      }
      const byName = new Map<string, NetworkInfo[]>();
      for (const n of candidates) byName.set(n.Name, [...(byName.get(n.Name) ?? []), n]);
      const removed: string[] = [];
      const keptDuplicates: string[] = [];
      for (const group of byName.values()) {
        if (group.length < 2) continue;
        const used = await usage();
        const counted = group.map((n) => ({ n, used: used(n) }));
        counted.sort((x, y) => y.used - x.used || Date.parse(x.n.Created) - Date.parse(y.n.Created));
        for (const { n, used } of counted.slice(1)) {
          if (used > 0) {
            keptDuplicates.push(n.Id);
            continue;
          }
          await removeById(n.Id);
          removed.push(n.Id);
        }
      }
      return { removed, keptDuplicates };
    },

    /** Our workspace networks no container uses any more (their container was removed behind our back). */
    async collect(graceMs = COLLECT_GRACE_MS): Promise<string[]> {
      const own = await docker.listNetworks({ filters: { label: [`slipway.kind=${KIND}`, `slipway.instance=${options.instanceId}`] } });
      const removed: string[] = [];
      const used = await usage();
      for (const n of own) {
        if (inFlight.has(n.Name) || Date.now() - Date.parse(n.Created) < graceMs) continue;
        if (used(n) > 0) continue;
        await removeById(n.Id).then(
          () => removed.push(n.Name),
          () => {},
        );
      }
      return removed;
    },

    /** Moves a container onto its own network and off the legacy shared one (an upgraded workspace). */
    async isolate(containerId: string): Promise<void> {
      const info = await docker.getContainer(containerId).inspect();
      const name = info.Name.replace(/^\//, '');
      const attached = info.NetworkSettings.Networks ?? {};
      const own = await networks.ensure(name);
      if (!Object.values(attached).some((n) => n.NetworkID === own.id)) {
        await docker.getNetwork(own.id).connect({ Container: containerId });
      }
      for (const [netName, endpoint] of Object.entries(attached)) {
        if (netName === options.legacyName) await docker.getNetwork(endpoint.NetworkID).disconnect({ Container: containerId, Force: true });
      }
    },

    /** True for an address a workspace may have: the server refuses connections from it. */
    isWorkspaceAddress(remoteAddress: string): boolean {
      const ip = socketIpv4(remoteAddress);
      if (ip === null || !refused.some((cidr) => cidrContains(cidr, ip))) return false;
      // The bridges' gateways are the host's own addresses inside the pool: a connection from one is the host's
      // (a container cannot take that source address: it has no NET_ADMIN and no NET_RAW).
      const address = intToIpv4(ip);
      return !Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv4' && i.address === address));
    },
  };
  return networks;
}

export type Networks = ReturnType<typeof createNetworks>;
