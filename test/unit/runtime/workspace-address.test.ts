import type Docker from 'dockerode';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createNetworks } from '../../../server/runtime/network.js';

// A host address of this machine, and a pool around it: the host's own address (a bridge's gateway) stays allowed.
const host = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)!.address;
const [a, b, c] = host.split('.');
const pool = `${a}.${b}.${c}.0/24`;
const neighbour = `${a}.${b}.${c}.${host.endsWith('.7') ? 8 : 7}`;
// isWorkspaceAddress never talks to the engine: no engine object is needed for it.
const networks = createNetworks({} as Docker, { instanceId: 'slw-0000000000000000', legacyName: 'slipway', pool: { cidr: pool, prefix: 28 } });

describe('which connections the server refuses', () => {
  it('every address of the pool (a workspace), in both socket forms', () => {
    expect(networks.isWorkspaceAddress(neighbour)).toBe(true);
    expect(networks.isWorkspaceAddress(`::ffff:${neighbour}`)).toBe(true);
  });

  it("but not the host's own addresses inside it (the bridges' gateways), nor anything outside the pool", () => {
    expect(networks.isWorkspaceAddress(host)).toBe(false);
    expect(networks.isWorkspaceAddress('127.0.0.1')).toBe(false);
    expect(networks.isWorkspaceAddress('::1')).toBe(false);
    expect(networks.isWorkspaceAddress(`${Number(a) === 1 ? 2 : 1}.2.3.4`)).toBe(false);
  });
});
