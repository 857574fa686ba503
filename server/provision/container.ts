/**
 * Primitives inside a container, through the runtime: root setup (folders,
 * extra CA certificates), copying the checkout in, writing terminal rc
 * files, a host scratch folder. apply.ts composes them; workspaces/ uses
 * them for restarts and terminals.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { slipwayError } from '../core/errors.js';
import { createTar } from '../core/tar.js';
import type { Runtime } from '../runtime/docker.js';
import { EXTRA_CA_INSTALLED, EXTRA_CA_PATH, SLIPWAY_DIR } from './paths.js';
import { shellQuote } from './scripts.js';

/**
 * Makes the distro trust the extra CA bundle, whatever tooling the image has.
 * Skipped when the image already trusts this very bundle (images/ca-layer.ts
 * bakes it into a derived layer and records it in extra-ca.installed), or
 * this container did at an earlier start: the update costs 5 to 20 s.
 */
const TRUST_EXTRA_CA = `
if [ -f ${EXTRA_CA_PATH} ]; then
  if cmp -s ${EXTRA_CA_PATH} ${EXTRA_CA_INSTALLED} 2>/dev/null; then
    :
  elif command -v update-ca-certificates >/dev/null 2>&1 && [ -d /usr/local/share/ca-certificates ]; then
    cp ${EXTRA_CA_PATH} /usr/local/share/ca-certificates/slipway-extra.crt && update-ca-certificates >/dev/null 2>&1 && cp ${EXTRA_CA_PATH} ${EXTRA_CA_INSTALLED}
  elif command -v update-ca-trust >/dev/null 2>&1 && [ -d /etc/pki/ca-trust/source/anchors ]; then
    cp ${EXTRA_CA_PATH} /etc/pki/ca-trust/source/anchors/slipway-extra.crt && update-ca-trust extract && cp ${EXTRA_CA_PATH} ${EXTRA_CA_INSTALLED}
  elif [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cat ${EXTRA_CA_PATH} >> /etc/ssl/certs/ca-certificates.crt && cp ${EXTRA_CA_PATH} ${EXTRA_CA_INSTALLED}
  fi
fi`;

export function createContainerOps(deps: { runtime: Runtime; tmpDir: string }) {
  const { runtime } = deps;

  async function root(containerId: string, script: string, what: string): Promise<string> {
    const result = await runtime.exec(containerId, { cmd: ['/bin/sh', '-c', script], user: 'root' });
    if (result.exitCode !== 0) {
      throw slipwayError('SLIPWAY_WORKSPACE_SETUP_FAILED', `${what} failed (exit code ${result.exitCode}): ${result.output.trim().slice(-2000)}`);
    }
    return result.output;
  }

  return {
    root,

    /**
     * Folders (plus `dirs`, e.g. the checkout's parent), the extra CA bundle,
     * and which shell the image has: one exec, since each costs ~100 ms.
     */
    async prepare(containerId: string, options: { extraCaCerts: string | null; user: string; dirs?: string[] }): Promise<{ shell: string }> {
      if (options.extraCaCerts) {
        await runtime.putArchive(containerId, '/', createTar([{ name: EXTRA_CA_PATH.slice(1), content: options.extraCaCerts }]));
      }
      const dirs = ['/workspace', `${SLIPWAY_DIR}/tasks`, ...(options.dirs ?? [])].map(shellQuote).join(' ');
      const script = [
        `mkdir -p ${dirs} && chmod 755 ${SLIPWAY_DIR} ${SLIPWAY_DIR}/tasks`,
        options.extraCaCerts ? TRUST_EXTRA_CA : '',
        'command -v bash || command -v sh',
      ]
        .filter(Boolean)
        .join('\n');
      const shell = (await root(containerId, script, 'Preparing the container')).trim().split('\n').pop() || '/bin/sh';
      return { shell };
    },

    /** Copies a host working tree into the container and gives it to the workspace user; `parentReady`: `prepare` made its parent folder. */
    async copyCheckout(containerId: string, hostDir: string, checkoutPath: string, user: string, options: { parentReady?: boolean } = {}): Promise<void> {
      const parent = path.posix.dirname(checkoutPath);
      const name = path.posix.basename(checkoutPath);
      if (!options.parentReady) await root(containerId, `mkdir -p ${shellQuote(parent)}`, 'Making the checkout folder');
      // tar writes the tree under its final name, so the archive extracts in place.
      const tar = spawn(
        'tar',
        [
          '-C',
          path.dirname(hostDir),
          '--transform',
          `s,^${path.basename(hostDir).replace(/[,\\]/g, '')},${name.replace(/[,\\&]/g, '')},`,
          '-cf',
          '-',
          path.basename(hostDir),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
      await runtime.putArchive(containerId, parent, tar.stdout);
      if ((await exited) !== 0) throw slipwayError('SLIPWAY_WORKSPACE_CHECKOUT_FAILED', `Packing the checkout failed: ${stderr}`);
      await root(
        containerId,
        `u=${shellQuote(user)}; chown -R "$(id -u "$u"):$(id -g "$u")" ${shellQuote(checkoutPath)} && { [ "${parent}" = /workspace ] || chown "$(id -u "$u"):$(id -g "$u")" ${shellQuote(parent)}; } && chown "$(id -u "$u"):$(id -g "$u")" /workspace`,
        'Giving the checkout to the workspace user',
      );
    },

    async writeScripts(containerId: string, files: { name: string; content: string }[]): Promise<void> {
      if (files.length === 0) return;
      await runtime.putArchive(containerId, `${SLIPWAY_DIR}/tasks`, createTar(files.map((f) => ({ name: f.name, content: f.content, mode: 0o644 }))));
    },

    /** A scratch folder on the host, removed by the caller with `cleanup`. */
    async scratch(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
      const dir = await mkdtemp(path.join(deps.tmpDir, `${prefix}-`));
      return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },

    /** The command that starts an interactive shell sourcing an rc file. */
    interactiveShell(shell: string, rcPath: string): { cmd: string[]; env: Record<string, string> } {
      if (/bash$/.test(shell)) return { cmd: [shell, '--rcfile', rcPath, '-i'], env: {} };
      // POSIX sh reads $ENV when interactive.
      return { cmd: [shell, '-i'], env: { ENV: rcPath } };
    },
  };
}

export type ContainerOps = ReturnType<typeof createContainerOps>;
