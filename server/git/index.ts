export {
  assertBranchName,
  isValidBranchName,
  normalizeRepoUrl,
  parseContextUrl,
  pullRequestRef,
  remoteEndpoint,
  repoOrigin,
  type ContextRef,
  type GitProvider,
  type GitRef,
  type ParseContextUrlOptions,
} from './context-url.js';
export {
  createGitMirrors,
  type FileLister,
  type GitLogger,
  type GitMirrors,
  type GitMirrorsOptions,
  type RemoteOptions,
  type ResolvedRef,
} from './mirror.js';
export type { CredentialsFor, GitCredential, GitPrincipal } from './remote.js';
export { UNREACHABLE_MESSAGE } from './egress.js';
export { cleanRepoPath } from './read.js';
