/**
 * Ports as a service: where a workspace port is (the container's address on
 * the Docker network, or a loopback forwarder), which ports are listening
 * (polled from /proc/net/tcp* only while someone looks), run-time
 * visibility (audited) and proxied traffic as workspace activity.
 */
import type { Duplex } from 'node:stream';
import net from 'node:net';
import { slipwayError } from '../core/errors.js';
import type { AuditLog } from '../store/audit.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { Runtime } from '../runtime/docker.js';
import { decidePortAccess, type PortAccess, type PortCaller } from './access.js';
import { parseListeningPorts, type ListeningPort } from './proc-net.js';

export interface PortServiceDeps {
  /** Reads, and the one column this service owns (a narrow update: never a whole-row save). */
  store: { get(id: string): WorkspaceRecord | null; setPortVisibility(id: string, port: number, visibility: 'public' | 'private'): boolean };
  workspaces: { record(caller: PortCaller & { username: string }, id: string): WorkspaceRecord; touch(id: string): void };
  runtime: Pick<Runtime, 'inspectContainer' | 'exec' | 'openLoopback'>;
  audit: AuditLog;
  logger: { warn(obj: unknown, msg?: string): void };
  /** Detection poll period; someone must have looked within `interestMs` for a workspace to be polled. */
  pollMs?: number;
  interestMs?: number;
}

const ADDRESS_TTL_MS = 5_000;
const TOUCH_EVERY_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

export function createPortService(deps: PortServiceDeps) {
  const pollMs = deps.pollMs ?? 3_000;
  const interestMs = deps.interestMs ?? 30_000;
  const addresses = new Map<string, { containerId: string; ip: string | null; at: number }>();
  const detected = new Map<string, { ports: ListeningPort[]; at: number }>();
  const interest = new Map<string, number>();
  const polling = new Set<string>();
  const touchedAt = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;

  async function containerIp(record: WorkspaceRecord): Promise<string | null> {
    const cached = addresses.get(record.id);
    if (cached && cached.containerId === record.containerId && Date.now() - cached.at < ADDRESS_TTL_MS) return cached.ip;
    const info = record.containerId ? await deps.runtime.inspectContainer(record.containerId) : null;
    const ip = info?.running ? info.ip : null;
    if (record.containerId) addresses.set(record.id, { containerId: record.containerId, ip, at: Date.now() });
    return ip;
  }

  function tcpConnect(host: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timeout = setTimeout(() => socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timeout);
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timeout);
        reject(error);
      });
    });
  }

  async function poll(id: string): Promise<void> {
    if (polling.has(id)) return;
    const record = deps.store.get(id);
    if (!record || record.status !== 'running' || !record.containerId) {
      detected.delete(id);
      return;
    }
    polling.add(id);
    try {
      // 2>/dev/null: images without IPv6 have no tcp6 file.
      const result = await deps.runtime.exec(record.containerId, { cmd: ['sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null'], user: 'root' });
      detected.set(id, { ports: parseListeningPorts(result.output), at: Date.now() });
    } catch (error) {
      deps.logger.warn({ err: String(error), workspace: id }, 'port detection failed');
    } finally {
      polling.delete(id);
    }
  }

  function ensureTimer() {
    if (timer) return;
    timer = setInterval(() => {
      const now = Date.now();
      for (const [id, at] of interest) {
        if (now - at > interestMs) {
          interest.delete(id);
          continue;
        }
        void poll(id);
      }
      // Nobody looking anywhere: no timer, no CPU.
      if (interest.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    }, pollMs);
    timer.unref();
  }

  const service = {
    /** The store record, for the access decision (no caller check here: `decide` is the check). */
    workspace(id: string): WorkspaceRecord | null {
      return deps.store.get(id);
    },

    decide(record: WorkspaceRecord | null, port: number, caller: PortCaller | null): PortAccess {
      return decidePortAccess(record, port, caller);
    },

    /**
     * A connected stream to the port: the container's address on the Docker
     * network first; if that refuses, the service may listen on loopback
     * only, so try the in-container forwarder. Never a port published on
     * the host.
     */
    async connect(record: WorkspaceRecord, port: number): Promise<Duplex> {
      const ip = await containerIp(record);
      if (!ip || !record.containerId) throw Object.assign(new Error('the workspace container is not running'), { code: 'ENOTRUNNING' });
      const known = detected.get(record.id)?.ports.find((p) => p.port === port);
      if (!known?.loopbackOnly) {
        try {
          return await tcpConnect(ip, port);
        } catch (error) {
          if ((error as { code?: string }).code !== 'ECONNREFUSED') throw error;
        }
      }
      return await deps.runtime.openLoopback(record.containerId, port);
    },

    /** Ports listening now (cached); asking marks interest, which keeps the poller on for a while. */
    detectedPorts(id: string): number[] {
      const first = !interest.has(id);
      interest.set(id, Date.now());
      ensureTimer();
      if (first) void poll(id);
      return (detected.get(id)?.ports ?? []).map((p) => p.port);
    },

    /** Proxied traffic is activity (idle timeout), throttled so a busy page does not write per request. */
    activity(id: string) {
      interest.set(id, Date.now());
      const last = touchedAt.get(id) ?? 0;
      if (Date.now() - last < TOUCH_EVERY_MS) return;
      touchedAt.set(id, Date.now());
      deps.workspaces.touch(id);
    },

    setVisibility(caller: PortCaller & { username: string }, id: string, port: number, visibility: unknown) {
      const record = deps.workspaces.record(caller, id);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw slipwayError('SLIPWAY_PORT_BAD_REQUEST', `A port is a whole number from 1 to 65535, got "${port}"`);
      }
      if (visibility !== 'public' && visibility !== 'private') {
        throw slipwayError('SLIPWAY_PORT_BAD_REQUEST', 'Send {"visibility": "public"} or {"visibility": "private"}');
      }
      const before = record.portVisibility[String(port)] ?? null;
      // One UPDATE of the one column: a workspace operation saving its copy of the record meanwhile keeps it.
      if (!deps.store.setPortVisibility(id, port, visibility)) throw slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', `No workspace "${id}"`);
      deps.audit.record(caller.id, 'port.visibility', id, { port, from: before, to: visibility });
      return { port, visibility };
    },

    close() {
      if (timer) clearInterval(timer);
      timer = null;
      interest.clear();
    },
  };
  return service;
}

export type PortService = ReturnType<typeof createPortService>;
