export {
  assertBranchName,
  isValidBranchName,
  parseContextUrl,
  pullRequestRef,
  type ContextRef,
  type GitProvider,
  type GitRef,
  type ParseContextUrlOptions,
} from './context-url.js';
// A repository's identity (clone URL, origin, comparison key, name, mirror): ask here, never parse a URL elsewhere.
export { repoIdentity, repoKey, repoOwnerAndRepo, tryRepoIdentity, type RepoIdentity, type RepoScheme } from './identity.js';
export { createGitMirrors, type FileLister, type GitLogger, type GitMirrors, type GitMirrorsOptions, type RemoteOptions, type ResolvedRef } from './mirror.js';
export type { CredentialsFor, GitCredential, GitPrincipal } from './remote.js';
export { UNREACHABLE_MESSAGE } from './egress.js';
export { cleanRepoPath } from './read.js';
