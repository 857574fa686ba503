/** The API form of a prebuild (DESIGN §7), shared with the web UI. */
import { printable } from '../core/printable.js';
import type { PrebuildRecord, PrebuildStatus } from '../store/prebuilds.js';

export interface ApiPrebuildTask {
  name: string;
  exitCode: number | null;
  durationMs: number;
}

export interface ApiPrebuild {
  id: string;
  projectId: string;
  repoUrl: string;
  commit: string;
  branch: string | null;
  status: PrebuildStatus;
  /** webhook:<provider>, poll, manual:<userId>. */
  trigger: string;
  /** The snapshot image; null until ready and after garbage collection. */
  imageRef: string | null;
  baseImageRef: string | null;
  /** True once the snapshot was garbage-collected (the record and log stay). */
  collected: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error?: string;
  exitCode: number | null;
  definitionHash: string | null;
  durationMs: number | null;
  tasks: ApiPrebuildTask[];
}

export function toApiPrebuild(record: PrebuildRecord): ApiPrebuild {
  return {
    id: record.id,
    projectId: record.projectId,
    repoUrl: record.repoUrl,
    commit: record.commit,
    branch: record.branch,
    status: record.status,
    trigger: record.trigger,
    imageRef: record.imageRef,
    baseImageRef: record.baseImageRef,
    collected: record.collectedAt !== null,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    ...(record.error ? { error: printable(record.error, { multiline: true }) } : {}),
    exitCode: record.exitCode,
    definitionHash: record.definitionHash,
    durationMs: record.startedAt && record.finishedAt ? Date.parse(record.finishedAt) - Date.parse(record.startedAt) : null,
    // Task names come from the repository: printable for display (branch and URL stay raw identifiers).
    tasks: record.tasks.map((t) => ({ ...t, name: printable(t.name) })),
  };
}
