/**
 * Image operations of the runtime (inspect, pull, build, remove, list): split
 * from docker.ts so that each file holds one kind of Docker object. Only
 * runtime/ talks to the engine; createRuntime spreads these into its object.
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { slipwayError, errorMessage } from '../core/errors.js';

export interface ImageOpsDeps {
  docker: Docker;
  /** Adds this server's instance label. */
  own: (labels: Record<string, string>) => Record<string, string>;
  /** Label filter for list calls, this instance's only. */
  labelFilter: (labels: Record<string, string>) => string[];
  /** Throws when the object belongs to another Slipway server on the engine. */
  refuseForeign: (what: string, labels: Record<string, string> | undefined) => void;
}

export function createImageOps({ docker, own, labelFilter, refuseForeign }: ImageOpsDeps) {
  async function followProgress(stream: NodeJS.ReadableStream, onLog: (line: string) => void): Promise<string | null> {
    // Pull and build answer with a stream of JSON objects; an `error` field is the failure.
    return await new Promise((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null, output: { error?: string }[]) => {
          if (err) return reject(err);
          const failed = output.find((o) => o.error);
          resolve(failed?.error ?? null);
        },
        (event: { stream?: string; status?: string; progress?: string; id?: string; error?: string }) => {
          if (event.stream) onLog(event.stream);
          else if (event.status) onLog(`${event.id ? event.id + ': ' : ''}${event.status}${event.progress ? ' ' + event.progress : ''}\n`);
          else if (event.error) onLog(`${event.error}\n`);
        },
      );
    });
  }

  const ops = {
    async imageExists(ref: string): Promise<boolean> {
      try {
        await docker.getImage(ref).inspect();
        return true;
      } catch {
        return false;
      }
    },

    async imageLabels(ref: string): Promise<Record<string, string> | null> {
      try {
        const info = await docker.getImage(ref).inspect();
        return info.Config?.Labels ?? {};
      } catch {
        return null;
      }
    },

    /** Labels and ONBUILD triggers of a local image (null when absent): what the image policy judges. */
    async imageConfig(ref: string): Promise<{ labels: Record<string, string>; onBuild: string[] } | null> {
      try {
        const info = await docker.getImage(ref).inspect();
        return { labels: info.Config?.Labels ?? {}, onBuild: (info.Config as { OnBuild?: string[] | null } | undefined)?.OnBuild ?? [] };
      } catch {
        return null;
      }
    },

    /** Id and configured user of a local image (null when absent): what a derived CA layer is keyed on and restores. */
    async imageIdentity(ref: string): Promise<{ id: string; user: string } | null> {
      try {
        const info = await docker.getImage(ref).inspect();
        return { id: info.Id, user: info.Config?.User ?? '' };
      } catch {
        return null;
      }
    },

    /** The image's own environment (Config.Env), for `${containerEnv:...}` in definitions. */
    async imageEnv(ref: string): Promise<Record<string, string>> {
      const info = await docker.getImage(ref).inspect();
      const env: Record<string, string> = {};
      for (const entry of info.Config?.Env ?? []) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      return env;
    },

    async pullImage(ref: string, onLog: (text: string) => void = () => {}): Promise<void> {
      let failure: string | null;
      try {
        failure = await followProgress(await docker.pull(ref), onLog);
      } catch (error) {
        failure = errorMessage(error);
      }
      if (failure !== null) {
        throw slipwayError(
          'SLIPWAY_IMAGE_PULL_FAILED',
          `The image "${ref}" cannot be pulled: ${failure.trim()}. Check the image name in the definition file, or make it available to the Docker engine.`,
          { detail: { image: ref } },
        );
      }
    },

    async buildImage(
      build: { context: Readable; dockerfile: string; tag: string; args: Record<string, string>; target: string | null; labels: Record<string, string> },
      onLog: (text: string) => void = () => {},
    ): Promise<void> {
      let failure: string | null;
      try {
        const stream = await docker.buildImage(build.context, {
          t: build.tag,
          dockerfile: build.dockerfile,
          buildargs: build.args,
          labels: own(build.labels),
          ...(build.target ? { target: build.target } : {}),
          rm: true,
          forcerm: true,
        } as Docker.ImageBuildOptions);
        failure = await followProgress(stream, onLog);
      } catch (error) {
        failure = errorMessage(error);
      }
      if (failure !== null) {
        throw slipwayError('SLIPWAY_IMAGE_BUILD_FAILED', `Building the image from ${build.dockerfile} failed: ${failure.trim()}`, {
          detail: { dockerfile: build.dockerfile },
        });
      }
    },

    async removeImage(ref: string): Promise<void> {
      const labels = await ops.imageLabels(ref);
      if (labels === null) return;
      refuseForeign(`The image ${ref}`, labels);
      try {
        await docker.getImage(ref).remove({ force: false });
      } catch (error) {
        if (!/no such image/i.test(errorMessage(error))) throw error;
      }
    },

    /** This server's images with these labels (never another instance's). */
    async listImages(labels: Record<string, string>): Promise<{ id: string; tags: string[]; labels: Record<string, string>; created: number }[]> {
      const images = await docker.listImages({ filters: { label: labelFilter(labels) } });
      return images.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [], labels: i.Labels ?? {}, created: i.Created }));
    },
  };
  return ops;
}
