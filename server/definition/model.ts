/**
 * The one normalized workspace model (DESIGN §3). Both `.gitpod.yml` and
 * `devcontainer.json` are read into a WorkspaceSpec. Its JSON form is part of
 * the API and CLI contract: keys may be added, never renamed or removed.
 */

export type DefinitionFormat = 'gitpod' | 'devcontainer' | 'default';

export type ImageSource =
  | { kind: 'default' }
  | { kind: 'ref'; ref: string }
  | {
      kind: 'dockerfile';
      /** Path of the Dockerfile from the repository root, POSIX separators, no leading `./`. */
      dockerfile: string;
      /** Build context folder from the repository root (`.` for the root). */
      context: string;
      args: Record<string, string>;
      target: string | null;
    }
  | { kind: 'compose'; files: string[]; service: string };

/** A devcontainer lifecycle command: a shell string, an argv array, or named parallel commands. */
export type LifecycleCommand = string | string[] | Record<string, string | string[]>;

export interface Lifecycle {
  onCreate: LifecycleCommand | null;
  updateContent: LifecycleCommand | null;
  postCreate: LifecycleCommand | null;
  postStart: LifecycleCommand | null;
  postAttach: LifecycleCommand | null;
}

export interface TaskSpec {
  name: string | null;
  before: string | null;
  init: string | null;
  command: string | null;
  env: Record<string, string>;
  openMode?: string | null;
  openIn?: string | null;
}

export type PortVisibility = 'private' | 'public';

export interface PortSpec {
  port: number;
  /** Inclusive end of a range (`3000-3010`), else null. */
  endPort: number | null;
  onOpen: 'notify' | 'open-browser' | 'open-preview' | 'ignore' | 'silent' | string;
  visibility: PortVisibility;
  name: string | null;
  description: string | null;
  protocol: 'http' | 'https' | string;
}

export interface WorkspaceSpec {
  image: ImageSource;
  tasks: TaskSpec[];
  lifecycle: Lifecycle;
  ports: PortSpec[];
  /** Environment variables for the container and every terminal. */
  env: Record<string, string>;
  /** User to run as inside the container (`remoteUser`/`containerUser`); null: the image's user. */
  user: string | null;
  /** Where the repository is checked out, relative to /workspace (gitpod) or absolute (devcontainer workspaceFolder). */
  checkoutLocation: string | null;
  workspaceLocation: string | null;
  extensions: string[];
  gitConfig: Record<string, string>;
  /** Extra, format-specific data that is kept but not acted on (features, mounts, runArgs, ...). */
  extra: Record<string, unknown>;
}

export interface Diagnostic {
  message: string;
  /** Key path in the file, e.g. `tasks[1].init`; `` for the whole file. */
  path: string;
  /** 1-based line and column; 1:1 when the problem is the file as a whole. */
  line: number;
  column: number;
  file: string;
}

export interface ParseResult {
  format: DefinitionFormat;
  /** Repository-relative path of the file that was read; null for the default spec. */
  file: string | null;
  spec: WorkspaceSpec;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function emptyLifecycle(): Lifecycle {
  return { onCreate: null, updateContent: null, postCreate: null, postStart: null, postAttach: null };
}

export function defaultSpec(): WorkspaceSpec {
  return {
    image: { kind: 'default' },
    tasks: [],
    lifecycle: emptyLifecycle(),
    ports: [],
    env: {},
    user: null,
    checkoutLocation: null,
    workspaceLocation: null,
    extensions: [],
    gitConfig: {},
    extra: {},
  };
}
