/**
 * Extra CA certificates (SLIPWAY_EXTRA_CA_CERTS) baked into a derived image
 * layer, once per image and bundle (issue 17 item 3), instead of installed
 * in every container at every start: `update-ca-certificates` with its Java
 * hook costs 5 to 20 s, on the open path and in every prebuild.
 *
 * The layer puts the bundle where workspaces expect it (/.slipway/extra-ca.crt,
 * NODE_EXTRA_CA_CERTS points there), makes the distro trust it (Debian/Ubuntu
 * update-ca-certificates, which also updates Java's store; RHEL
 * update-ca-trust; else appended to the bundle file), and records what it
 * installed in /.slipway/extra-ca.installed, so the per-start check in
 * provision/container.ts sees it is done and skips.
 */
import { Readable } from 'node:stream';
import { sha256Hex } from '../core/ids.js';
import { createTar } from '../core/tar.js';
import type { Runtime } from '../runtime/docker.js';

/** Where a container finds the bundle (NODE_EXTRA_CA_CERTS), and the copy recording that it is trusted; provision/ uses the same. */
export const CA_FILE = '/.slipway/extra-ca.crt';
export const INSTALLED = '/.slipway/extra-ca.installed';

const TRUST = [
  'set -e',
  'if command -v update-ca-certificates >/dev/null 2>&1 && [ -d /usr/local/share/ca-certificates ]; then',
  `  cp ${CA_FILE} /usr/local/share/ca-certificates/slipway-extra.crt && update-ca-certificates >/dev/null 2>&1`,
  'elif command -v update-ca-trust >/dev/null 2>&1 && [ -d /etc/pki/ca-trust/source/anchors ]; then',
  `  cp ${CA_FILE} /etc/pki/ca-trust/source/anchors/slipway-extra.crt && update-ca-trust extract`,
  'elif [ -f /etc/ssl/certs/ca-certificates.crt ]; then',
  `  cat ${CA_FILE} >> /etc/ssl/certs/ca-certificates.crt`,
  'fi',
  `cp ${CA_FILE} ${INSTALLED}`,
  'chmod 755 /.slipway && chmod 644 /.slipway/extra-ca.*',
].join('\n');

function dockerfile(base: string, user: string): string {
  // JSON form for RUN so the base image's shell choice (SHELL) does not matter; /bin/sh is in every image that can trust certificates.
  return [
    `FROM ${base}`,
    'USER root',
    `COPY extra-ca.crt ${CA_FILE}`,
    `RUN ${JSON.stringify(['/bin/sh', '-c', TRUST])}`,
    // The base image's user again (empty: it ran as root).
    `USER ${user === '' ? 'root' : user}`,
    '',
  ].join('\n');
}

/** A short id of a bundle, labelled on its layers so they can be found (and removed) by bundle. */
export function caBundleId(bundle: string): string {
  return sha256Hex('slipway-ca-bundle-v1', bundle).slice(0, 16);
}

export function createCaLayer(deps: { runtime: Pick<Runtime, 'imageIdentity' | 'imageExists' | 'buildImage'>; bundle: string }) {
  const inFlight = new Map<string, Promise<string>>();
  return {
    /** The image to run instead of `ref`: `ref` with the bundle trusted, built the first time this image and bundle meet. */
    async apply(ref: string, onLog: (text: string) => void = () => {}): Promise<string> {
      const identity = await deps.runtime.imageIdentity(ref);
      if (identity === null) return ref; // the caller made it present; a race with a removal shows at create time
      const key = sha256Hex('slipway-ca-layer-v1', identity.id, deps.bundle);
      const tag = `slipway/ca-layer:${key.slice(0, 20)}`;
      if (await deps.runtime.imageExists(tag)) return tag;
      const running = inFlight.get(key);
      if (running) return running;
      const work = (async () => {
        const started = Date.now();
        onLog(`Adding the extra CA certificates (SLIPWAY_EXTRA_CA_CERTS) to ${ref} as ${tag}, once for this image\n`);
        const context = createTar([
          { name: 'Dockerfile', content: dockerfile(identity.id, identity.user) },
          { name: 'extra-ca.crt', content: deps.bundle },
        ]);
        await deps.runtime.buildImage(
          {
            context: Readable.from([context]),
            dockerfile: 'Dockerfile',
            tag,
            args: {},
            target: null,
            labels: { 'slipway.kind': 'ca-layer', 'slipway.ca-of': ref, 'slipway.ca-bundle': caBundleId(deps.bundle) },
          },
          onLog,
        );
        onLog(`CA layer ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
        return tag;
      })();
      inFlight.set(key, work);
      try {
        return await work;
      } finally {
        inFlight.delete(key);
      }
    },
  };
}

export type CaLayer = ReturnType<typeof createCaLayer>;
