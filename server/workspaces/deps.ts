/**
 * What the workspace service needs from the rest of the server, as plain
 * interfaces, so the composition root (main.ts / app.ts) wires real parts and
 * nothing here reaches past them.
 */
import type { Config } from '../config/config.js';
import type { LogRegistry, LogStream } from '../core/log-stream.js';
import type { WorkspaceMetrics } from '../metrics/metrics.js';
import type { DefinitionLister, WorkspaceSpec } from '../definition/index.js';
import type { GitRef } from '../git/context-url.js';
import type { GitPrincipal } from '../git/remote.js';
import type { ImageResolver, RepoContent } from '../images/resolver.js';
import type { Runtime } from '../runtime/docker.js';
import type { AuditLog } from '../store/audit.js';
import type { TargetSecrets } from '../provision/apply.js';
import type { ProvisionPlan } from '../provision/plan.js';
import type { WorkspaceRecord, WorkspaceStore } from '../store/workspaces.js';
import type { TerminalManager } from '../terminals/manager.js';
import type { Effect, PhaseEvent } from './phase-machine.js';

export interface WorkspaceGit extends RepoContent {
  /** `as`: whose credentials fetch (the workspace's owner): never another user's token. */
  resolve(repoUrl: string, ref: GitRef, opts: { as: GitPrincipal }): Promise<{ commit: string; branch: string | null }>;
  lister(repoUrl: string, commit: string): DefinitionLister;
  createWorkingTree(repoUrl: string, commit: string, branch: string | null, destDir: string): Promise<unknown>;
}

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface WorkspaceDeps {
  config: Config;
  /** The owner's and project's environment variables for a new workspace (provision/apply.ts). */
  secrets?: TargetSecrets;
  store: WorkspaceStore;
  audit: AuditLog;
  runtime: Runtime;
  git: WorkspaceGit;
  images: ImageResolver;
  terminals: TerminalManager;
  logs: LogRegistry;
  logger: Logger;
  /** Opens and failures for /metrics (server/metrics/); absent in tests that do not read them. */
  metrics?: WorkspaceMetrics;
  /** Picks a prebuild snapshot to start from (server/prebuilds/chooser.ts); absent: always a cold start. */
  prebuilds?: WorkspacePrebuilds;
  /**
   * May this user read this repository? Throws SLIPWAY_GIT_ACCESS_DENIED when
   * the server holds the repository only through someone else's credentials.
   */
  repoAccess?: { check(caller: { id: string; isAdmin: boolean }, repoUrl: string): Promise<void> };
  /** Ports found listening in a running workspace (the port service; asking keeps its poller on). Absent: none. */
  detectedPorts?: (id: string) => number[];
}

/** What a start learns from the prebuild chooser; `reason` goes to `record.prebuild.reason`. */
export interface PrebuildChoiceForStart {
  kind: 'exact' | 'incremental' | 'none';
  reason: string;
  prebuild: { id: string; commit: string; imageRef: string } | null;
  /** Per task index: that task's prebuild output, replayed first in its terminal. */
  preambles: (Buffer | null)[];
  /** Incremental only: tracked files of the prebuild's commit that this commit no longer has. */
  removedFiles?: string[];
}

export interface WorkspacePrebuilds {
  choose(input: {
    repoUrl: string;
    repoName: string;
    commit: string;
    branch: string | null;
    spec: WorkspaceSpec;
    onLog: (text: string) => void;
  }): Promise<PrebuildChoiceForStart>;
}

/** Applies a phase event to a record (the phase machine, then persistence); startup.ts and prebuild-start.ts share it. */
export type PhaseApplier = (record: WorkspaceRecord, event: PhaseEvent, options?: { persist?: boolean }) => Effect[];

export interface ProvisionOptions {
  /** Per task index: the prebuild's output, replayed first in its terminal. */
  preambles?: (Buffer | null)[];
  /** Sets how the workspace started, just before its terminals open. */
  beforeTerminals(): void;
}

/** Runs a provision plan for a workspace (startup.ts), steps timed into the record. Here, not in startup.ts, so prebuild-start.ts and startup.ts do not import each other. */
export type WorkspaceProvision = (record: WorkspaceRecord, log: LogStream, plan: ProvisionPlan, options: ProvisionOptions) => Promise<void>;
