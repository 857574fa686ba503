export {
  assertBranchName,
  isValidBranchName,
  normalizeRepoUrl,
  parseContextUrl,
  pullRequestRef,
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
  type ResolvedRef,
} from './mirror.js';
export { cleanRepoPath } from './read.js';
