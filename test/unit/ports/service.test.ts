import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPortService } from '../../../server/ports/service.js';
import type { WorkspaceRecord } from '../../../server/store/workspaces.js';

const LISTEN_8000 = '   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n';
const LOOPBACK_8002 = '   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n';

function setup(overrides: { ip?: string } = {}) {
  const record = { id: 'w1', ownerId: 'u1', status: 'running', containerId: 'c1', portVisibility: {}, spec: { ports: [] } } as unknown as WorkspaceRecord;
  const audit = { record: vi.fn() };
  const touch = vi.fn();
  const exec = vi.fn(async () => ({ exitCode: 0, output: LISTEN_8000 + LOOPBACK_8002 }));
  const openLoopback = vi.fn(async () => new PassThrough());
  const service = createPortService({
    store: {
      get: (id) => (id === 'w1' ? record : null),
      setPortVisibility: (id, port, visibility) => {
        if (id !== 'w1') return false;
        record.portVisibility = { ...record.portVisibility, [String(port)]: visibility };
        return true;
      },
    },
    workspaces: {
      record: (caller, id) => {
        if (id !== 'w1' || caller.id !== 'u1') throw Object.assign(new Error('not found'), { status: 404 });
        return record;
      },
      touch,
    },
    runtime: { inspectContainer: vi.fn(async () => ({ running: true, ip: overrides.ip ?? '127.0.0.1' }) as never), exec: exec as never, openLoopback },
    audit: audit as never,
    logger: { warn: () => {} },
    pollMs: 20,
    interestMs: 100,
  });
  return { service, record, audit, touch, exec, openLoopback };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe('port service', () => {
  it('detects ports only after someone asks, and stops polling when nobody looks', async () => {
    const { service, exec } = setup();
    cleanup.push(service.close);
    await new Promise((r) => setTimeout(r, 60));
    expect(exec).not.toHaveBeenCalled();
    expect(service.detectedPorts('w1')).toEqual([]);
    await vi.waitFor(() => expect(service.detectedPorts('w1')).toEqual([8000, 8002]));
    await new Promise((r) => setTimeout(r, 250));
    const calls = exec.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(exec.mock.calls.length).toBe(calls);
  });

  it('touches the workspace at most once per throttle window', () => {
    const { service, touch } = setup();
    for (let i = 0; i < 50; i++) service.activity('w1');
    expect(touch).toHaveBeenCalledTimes(1);
  });

  it('sets visibility for the owner only, validates it, and audits the change', () => {
    const { service, record, audit } = setup();
    const ownerCaller = { id: 'u1', username: 'o', isAdmin: false };
    expect(() => service.setVisibility({ id: 'u2', username: 'x', isAdmin: false }, 'w1', 3000, 'public')).toThrow();
    expect(() => service.setVisibility(ownerCaller, 'w1', 3000, 'open')).toThrow(/visibility/);
    expect(() => service.setVisibility(ownerCaller, 'w1', 70000, 'public')).toThrow(/65535/);
    expect(service.setVisibility(ownerCaller, 'w1', 3000, 'public')).toEqual({ port: 3000, visibility: 'public' });
    expect(record.portVisibility).toEqual({ '3000': 'public' });
    expect(audit.record).toHaveBeenCalledWith('u1', 'port.visibility', 'w1', { port: 3000, from: null, to: 'public' });
  });

  it('connects to the container address, and falls back to the loopback forwarder when refused', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const open = (server.address() as net.AddressInfo).port;
    const { service, record, openLoopback } = setup();
    const socket = await service.connect(record, open);
    expect(socket).toBeInstanceOf(net.Socket);
    socket.destroy();
    expect(openLoopback).not.toHaveBeenCalled();
    await new Promise((r) => server.close(r));
    await service.connect(record, open);
    expect(openLoopback).toHaveBeenCalledWith('c1', open);
  });
});
