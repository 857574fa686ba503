/**
 * The runtime: the only module that talks to the Docker engine (dockerode).
 * Everything else sees plain functions and plain data, so a Kubernetes runtime
 * can take its place later (DESIGN §9).
 */
import Docker from 'dockerode';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { slipwayError, errorMessage } from '../core/errors.js';
import { openLoopbackStream } from './loopback.js';
import { createImageOps } from './images.js';
import { createNetworks, DEFAULT_POOL, type NetworkPool } from './network.js';

export interface RuntimeOptions {
  /** Defaults to DOCKER_HOST or the local socket (dockerode reads DOCKER_HOST itself). */
  docker?: Docker;
  /** The shared network of older versions: workspaces still on it are moved to their own (network.ts). */
  network: string;
  /** This server's identity on the engine (instance.ts): everything it makes carries it, and it lists and removes only its own. */
  instanceId: string;
  /** Where each container's own network gets its subnet; DEFAULT_POOL when absent. */
  networkPool?: NetworkPool;
}

export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  user?: string | null;
  hostname: string;
  workingDir?: string;
  limits: { cpus: number; memoryBytes: number; pids: number };
}

export interface ContainerInfo {
  id: string;
  name: string;
  running: boolean;
  status: string;
  exitCode: number | null;
  /** Its address on its own network (the legacy shared one for an older workspace not moved yet). */
  ip: string | null;
  /** On its own network and not on the legacy shared one; reconcile moves it otherwise. */
  isolated: boolean;
  labels: Record<string, string>;
  user: string;
  image: string;
}

export interface ExecOptions {
  cmd: string[];
  user?: string | undefined;
  env?: Record<string, string> | undefined;
  workdir?: string | undefined;
}

export interface TtySession {
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

const envList = (env: Record<string, string> = {}) => Object.entries(env).map(([k, v]) => `${k}=${v}`);

// Keeps the container alive whatever the image's own command is, and exits
// promptly on `docker stop` (PID 1 ignores SIGTERM without a trap).
const KEEPALIVE = ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];

export const INSTANCE_LABEL = 'slipway.instance';

/**
 * The capabilities a workspace or prebuild container keeps: what sudo, su,
 * apt-get/dpkg, chown and binding ports below 1024 need. Docker's defaults
 * minus NET_RAW (raw packets: spoofing on the bridge), MKNOD (device nodes)
 * and SYS_CHROOT. AUDIT_WRITE stays: without it sudo prints "unable to send
 * audit message" on every call. Ping still works through ICMP datagram
 * sockets (the engine's ping_group_range), just not a setcap ping binary.
 */
export const WORKSPACE_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'SETFCAP',
  'NET_BIND_SERVICE',
  'AUDIT_WRITE',
] as const;

export function createRuntime(options: RuntimeOptions) {
  const docker = options.docker ?? new Docker();
  const { instanceId } = options;
  const networks = createNetworks(docker, { instanceId, legacyName: options.network, pool: options.networkPool ?? DEFAULT_POOL });
  const own = (labels: Record<string, string>) => ({ ...labels, [INSTANCE_LABEL]: instanceId });
  const labelFilter = (labels: Record<string, string>) => Object.entries(own(labels)).map(([k, v]) => (v ? `${k}=${v}` : k));
  /** Never remove what another Slipway server on the same engine made (objects of older versions carry no label). */
  const refuseForeign = (what: string, labels: Record<string, string> | undefined) => {
    const owner = labels?.[INSTANCE_LABEL];
    if (owner && owner !== instanceId) {
      throw slipwayError(
        'SLIPWAY_RUNTIME_NOT_OURS',
        `${what} belongs to another Slipway server on this Docker engine (instance ${owner}); this one (${instanceId}) leaves it alone`,
      );
    }
  };

  const images = createImageOps({ docker, own, labelFilter, refuseForeign });

  const runtime = {
    async ping(): Promise<{ ok: boolean; version: string | null; error?: string }> {
      try {
        const version = await docker.version();
        return { ok: true, version: version.Version };
      } catch (error) {
        return { ok: false, version: null, error: errorMessage(error) };
      }
    },

    ...images,

    /** A container's own network, by the container's name: made once, adopted when present. createContainer calls it. */
    ensureNetwork: networks.ensure,
    /** At start: empty duplicate networks removed, one kept (network.ts). */
    repairNetworks: networks.repair,
    /** Our networks whose container is gone (removed behind our back). */
    collectNetworks: networks.collect,
    /** Moves a container of an older version off the shared network onto its own. */
    isolateContainer: networks.isolate,
    /** True for a workspace's address: the server refuses such connections (runtime README). */
    isWorkspaceAddress: networks.isWorkspaceAddress,
    instanceId,

    async createContainer(spec: ContainerSpec): Promise<string> {
      // Its own network, joined by id: no other workspace on it, and a same-named duplicate cannot make it ambiguous.
      const network = await networks.ensure(spec.name);
      const container = await docker
        .createContainer({
          name: spec.name,
          Image: spec.image,
          Entrypoint: KEEPALIVE,
          Cmd: [],
          Hostname: spec.hostname,
          Labels: own(spec.labels),
          Env: envList(spec.env),
          ...(spec.user ? { User: spec.user } : {}),
          ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
          HostConfig: {
            Init: true,
            Privileged: false,
            NetworkMode: network.id,
            // No Docker socket, no host paths: a workspace reaches nothing of the host.
            Binds: [],
            // An allow-list, so a daemon with wider defaults grants no more (DESIGN §10). Not no-new-privileges: it breaks sudo.
            CapDrop: ['ALL'],
            CapAdd: [...WORKSPACE_CAPABILITIES],
            ...(spec.limits.cpus > 0 ? { NanoCpus: Math.round(spec.limits.cpus * 1e9) } : {}),
            ...(spec.limits.memoryBytes > 0 ? { Memory: spec.limits.memoryBytes } : {}),
            ...(spec.limits.pids > 0 ? { PidsLimit: spec.limits.pids } : {}),
          },
        })
        .catch(async (error: unknown) => {
          await networks.remove(spec.name).catch(() => {}); // only if no container uses it (network.ts)
          throw error;
        });
      return container.id;
    },

    async startContainer(id: string): Promise<void> {
      try {
        await docker.getContainer(id).start();
      } catch (error) {
        if (!/already started|304/i.test(errorMessage(error))) throw error;
      }
    },

    async stopContainer(id: string, timeoutSeconds = 10): Promise<void> {
      try {
        await docker.getContainer(id).stop({ t: timeoutSeconds });
      } catch (error) {
        if (!/not running|already stopped|304|no such container/i.test(errorMessage(error))) throw error;
      }
    },

    /** Removes a container and then its own network. */
    async removeContainer(id: string): Promise<void> {
      let name: string | null = null;
      try {
        const info = await docker.getContainer(id).inspect();
        refuseForeign(`The container ${info.Name}`, info.Config.Labels ?? undefined);
        name = info.Name.replace(/^\//, '');
        await docker.getContainer(id).remove({ force: true, v: true });
      } catch (error) {
        if (!/no such container|404|already in progress/i.test(errorMessage(error))) throw error;
      }
      // A leftover network is collected by the reconciler later: removal never fails for it.
      if (name) await networks.remove(name).catch(() => {});
    },

    async inspectContainer(id: string): Promise<ContainerInfo | null> {
      try {
        const info = await docker.getContainer(id).inspect();
        const name = info.Name.replace(/^\//, '');
        const attached = info.NetworkSettings.Networks ?? {};
        const net = attached[name] ?? attached[options.network] ?? Object.values(attached)[0];
        return {
          id: info.Id,
          name,
          running: info.State.Running,
          status: info.State.Status,
          exitCode: info.State.Running ? null : info.State.ExitCode,
          ip: net?.IPAddress || null,
          isolated: name in attached && !(options.network in attached),
          labels: info.Config.Labels ?? {},
          user: info.Config.User || 'root',
          image: info.Config.Image,
        };
      } catch (error) {
        if (/no such container|404/i.test(errorMessage(error))) return null;
        throw error;
      }
    },

    /** This server's containers with these labels (an empty value: the label is present); never another instance's. */
    async listContainers(labels: Record<string, string>): Promise<{ id: string; labels: Record<string, string>; running: boolean }[]> {
      const list = await docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
      return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {}, running: c.State === 'running' }));
    },

    /** Runs a command to completion, non-interactively, streaming its output. */
    async execStream(id: string, exec: ExecOptions, onData: (chunk: Buffer) => void): Promise<number> {
      const handle = await docker.getContainer(id).exec({
        Cmd: exec.cmd,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        ...(exec.user ? { User: exec.user } : {}),
        ...(exec.env ? { Env: envList(exec.env) } : {}),
        ...(exec.workdir ? { WorkingDir: exec.workdir } : {}),
      });
      const stream = await handle.start({ hijack: true, stdin: false });
      const sink = new PassThrough();
      sink.on('data', onData);
      docker.modem.demuxStream(stream, sink, sink);
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      const result = await handle.inspect();
      return result.ExitCode ?? -1;
    },

    /** Runs a command to completion and returns its output (stdout and stderr together). */
    async exec(id: string, exec: ExecOptions): Promise<{ exitCode: number; output: string }> {
      const chunks: Buffer[] = [];
      const exitCode = await runtime.execStream(id, exec, (chunk) => chunks.push(chunk));
      return { exitCode, output: Buffer.concat(chunks).toString('utf8') };
    },

    /** Opens an interactive TTY process; its raw bytes flow both ways on `stream`. */
    async openTty(id: string, exec: ExecOptions & { cols: number; rows: number }): Promise<TtySession> {
      const handle = await docker.getContainer(id).exec({
        Cmd: exec.cmd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        ...(exec.user ? { User: exec.user } : {}),
        Env: envList({ TERM: 'xterm-256color', COLORTERM: 'truecolor', ...exec.env }),
        ...(exec.workdir ? { WorkingDir: exec.workdir } : {}),
      });
      const stream = (await handle.start({ hijack: true, stdin: true, Tty: true } as Docker.ExecStartOptions)) as Duplex;
      const resize = async (cols: number, rows: number) => {
        try {
          await handle.resize({ w: cols, h: rows });
        } catch {
          // The process may have ended between the client's resize and ours.
        }
      };
      await resize(exec.cols, exec.rows);
      const exited = new Promise<number | null>((resolve) => {
        let done = false;
        const finish = async () => {
          if (done) return;
          done = true;
          try {
            resolve((await handle.inspect()).ExitCode ?? null);
          } catch {
            resolve(null);
          }
        };
        stream.on('end', finish);
        stream.on('close', finish);
        stream.on('error', finish);
      });
      return { stream, resize, exited };
    },

    /** A raw TCP stream to 127.0.0.1:<port> inside the container (loopback-only services); rejects with code ECONNREFUSED when nothing listens. */
    openLoopback(id: string, port: number): Promise<Duplex> {
      return openLoopbackStream(docker, id, port);
    },

    /** Extracts a tar stream into a folder of the container. */
    async putArchive(id: string, destPath: string, tar: Readable | Buffer): Promise<void> {
      await docker.getContainer(id).putArchive(tar, { path: destPath });
    },

    /** Commits a container's filesystem as an image (a prebuild snapshot). */
    async commitContainer(id: string, image: { repo: string; tag: string; labels: Record<string, string> }): Promise<string> {
      // Labels go in as Dockerfile instructions: commit has no label parameter.
      const result = (await docker.getContainer(id).commit({
        repo: image.repo,
        tag: image.tag,
        pause: true,
        changes: Object.entries(own(image.labels)).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`),
      })) as { Id: string };
      return result.Id;
    },
  };
  return runtime;
}

export type Runtime = ReturnType<typeof createRuntime>;
