import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayError } from '../../../server/core/errors.js';
import { createGitMirrors, repoIdentity, UNREACHABLE_MESSAGE, type CredentialsFor, type GitMirrors, type GitPrincipal } from '../../../server/git/index.js';
import { runGitCommand, startGitServer, type GitServer } from '../../helpers/git-server.js';

const TOKEN = 'tok_s3cret_value';
/** These tests fetch as one project; its token is given for the repository named "secret" only. */
const AS: GitPrincipal = { project: 'p_test' };
const tokenFor =
  (token: string, only?: string): CredentialsFor =>
  (url, as) =>
    as === 'anonymous' || (only && !url.includes(only))
      ? null
      : { token, origin: repoIdentity(url).credentialOrigin!, projectId: 'p_test', projectName: 'test' };
// The test git server listens on 127.0.0.1, an internal address.
const egress = { allow: '127.0.0.1' };

async function rejection(promise: Promise<unknown>): Promise<SlipwayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayError);
    return error as SlipwayError;
  }
  throw new Error('expected a rejection');
}

function tarList(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('tar', ['-tf', file], (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.split('\n').filter(Boolean).sort());
    });
  });
}

describe('git mirrors against a real HTTP git server', () => {
  let server: GitServer;
  let scratch: string;
  let mirrors: GitMirrors;
  let appUrl: string;
  let appDir: string;
  let c1: string;
  let c2: string;
  let c3: string;
  let feature: string;

  beforeAll(async () => {
    server = await startGitServer();
    scratch = await mkdtemp(join(tmpdir(), 'slipway-mirror-test-'));
    const app = await server.createRepo('app', {
      'README.md': '# app\n',
      '.gitpod.yml': 'tasks:\n  - init: npm install\n',
      'docker/Dockerfile': 'FROM debian\nCOPY entry.sh /entry.sh\n',
      'docker/entry.sh': 'echo hi\n',
      'src/index.ts': 'export {};\n',
    });
    appUrl = app.url;
    appDir = app.dir;
    c1 = (await runGitCommand(['rev-parse', 'HEAD'], app.dir)).trim();
    c2 = await server.commit('app', { 'src/index.ts': 'export const x = 1;\n' }, 'Change src');
    c3 = await server.commit('app', { 'docker/entry.sh': 'echo hello\n' }, 'Change docker');
    feature = await server.commit('app', { 'feature.txt': 'on a branch\n' }, 'Feature', { branch: 'feature/x' });
    mirrors = createGitMirrors({
      dataDir: join(scratch, 'data'),
      credentialsFor: tokenFor(TOKEN, '/secret.git'),
      egress,
    });
  });

  afterAll(async () => {
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  describe('resolve', () => {
    it('resolves the default branch to the remote HEAD', async () => {
      expect(await mirrors.resolve(appUrl, { kind: 'default' }, { as: AS })).toEqual({ commit: c3, branch: 'main' });
      expect(existsSync(mirrors.dirFor(appUrl))).toBe(true);
      expect(mirrors.dirFor(appUrl)).toMatch(/mirrors\/[0-9a-f]{16}\.git$/);
    });

    it('resolves a branch whose name has a slash', async () => {
      expect(await mirrors.resolve(appUrl, { kind: 'branch', name: 'feature/x' }, { as: AS })).toEqual({ commit: feature, branch: 'feature/x' });
    });

    it('resolves full and short commit ids', async () => {
      expect(await mirrors.resolve(appUrl, { kind: 'commit', sha: c2 }, { as: AS })).toEqual({ commit: c2, branch: null });
      expect(await mirrors.resolve(appUrl, { kind: 'commit', sha: c1.slice(0, 8) }, { as: AS })).toEqual({ commit: c1, branch: null });
    });

    it('names the branch and lists existing ones when a branch is unknown', async () => {
      const error = await rejection(mirrors.resolve(appUrl, { kind: 'branch', name: 'nope' }, { as: AS }));
      expect(error.code).toBe('SLIPWAY_GIT_UNKNOWN_BRANCH');
      expect(error.status).toBe(404);
      expect(error.message).toContain('"nope"');
      expect(error.message).toMatch(/main/);
      expect(error.message).toMatch(/feature\/x/);
    });

    it('fails with SLIPWAY_GIT_UNKNOWN_COMMIT for a commit that does not exist', async () => {
      const error = await rejection(mirrors.resolve(appUrl, { kind: 'commit', sha: 'deadbeef'.repeat(5) }, { as: AS }));
      expect(error.code).toBe('SLIPWAY_GIT_UNKNOWN_COMMIT');
      expect(error.status).toBe(404);
    });

    it('fetches a commit pushed after the mirror was made', async () => {
      const late = await server.commit('app', { 'late.txt': 'x\n' }, 'Late', { branch: 'late' });
      expect(await mirrors.resolve(appUrl, { kind: 'commit', sha: late }, { as: AS })).toEqual({ commit: late, branch: null });
    });

    it('resolves a GitHub-style pull request ref, and reports an unknown one', async () => {
      const pr = await server.commit('app', { 'pr.txt': 'contribution\n' }, 'PR commit', { branch: 'contrib' });
      await server.pushRef('app', pr, 'refs/pull/1/head');
      expect(await mirrors.resolve(appUrl, { kind: 'pull', number: 1, provider: 'github' }, { as: AS })).toEqual({ commit: pr, branch: null });
      const error = await rejection(mirrors.resolve(appUrl, { kind: 'pull', number: 99, provider: 'github' }, { as: AS }));
      expect(error.code).toBe('SLIPWAY_GIT_UNKNOWN_PULL_REQUEST');
      expect(error.status).toBe(404);
    });

    it('resolves a GitLab-style merge request ref and refuses Bitbucket ones', async () => {
      await server.pushRef('app', c2, 'refs/merge-requests/2/head');
      expect((await mirrors.resolve(appUrl, { kind: 'pull', number: 2, provider: 'gitlab' }, { as: AS })).commit).toBe(c2);
      const error = await rejection(mirrors.resolve(appUrl, { kind: 'pull', number: 2, provider: 'bitbucket' }, { as: AS }));
      expect(error.code).toBe('SLIPWAY_GIT_PR_UNSUPPORTED');
    });

    it('follows the remote default branch when it changes', async () => {
      const repo = await server.createRepo('moving', { 'a.txt': 'a\n' });
      expect((await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS })).branch).toBe('main');
      const trunk = await server.commit('moving', { 'b.txt': 'b\n' }, 'Trunk', { branch: 'trunk' });
      await runGitCommand(['symbolic-ref', 'HEAD', 'refs/heads/trunk'], join(server.root, 'moving.git'));
      expect(await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS })).toEqual({ commit: trunk, branch: 'trunk' });
    });

    it('reports an empty repository, then picks up its first push', async () => {
      const repo = await server.createRepo('empty', {});
      const error = await rejection(mirrors.resolve(repo.url, { kind: 'default' }, { as: AS }));
      expect(error.code).toBe('SLIPWAY_GIT_EMPTY_REPOSITORY');
      const first = await server.commit('empty', { 'a.txt': 'a\n' }, 'First');
      expect(await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS })).toEqual({ commit: first, branch: 'main' });
    });

    it('copes with a server HEAD that names a branch never pushed', async () => {
      const repo = await server.createRepo('dangling', { 'a.txt': 'a\n' });
      await runGitCommand(['symbolic-ref', 'HEAD', 'refs/heads/master'], join(server.root, 'dangling.git'));
      const first = await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS });
      expect(first.branch).toBe('main');
      const second = await server.commit('dangling', { 'b.txt': 'b\n' }, 'Second');
      expect(await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS })).toEqual({ commit: second, branch: 'main' });
    });
  });

  describe('reading content', () => {
    it('lists and reads files at a commit', async () => {
      expect((await mirrors.listFiles(appUrl, c1)).sort()).toEqual(['.gitpod.yml', 'README.md', 'docker/Dockerfile', 'docker/entry.sh', 'src/index.ts'].sort());
      expect((await mirrors.readFile(appUrl, c2, 'src/index.ts'))?.toString()).toBe('export const x = 1;\n');
      expect((await mirrors.readFile(appUrl, c1, './src/index.ts'))?.toString()).toBe('export {};\n');
      expect(await mirrors.readFile(appUrl, c1, 'missing.txt')).toBeNull();
      expect(await mirrors.readFile(appUrl, c1, 'docker')).toBeNull();
      expect((await rejection(mirrors.readFile(appUrl, c1, '../etc/passwd'))).code).toBe('SLIPWAY_GIT_BAD_PATH');
      expect((await rejection(mirrors.readFile(appUrl, c1, '/etc/passwd'))).code).toBe('SLIPWAY_GIT_BAD_PATH');
    });

    it('gives the definition parser its lister', async () => {
      const lister = mirrors.lister(appUrl, c1);
      expect(await lister.list()).toContain('.gitpod.yml');
      expect(await lister.read('.gitpod.yml')).toBe('tasks:\n  - init: npm install\n');
      expect((await rejection(lister.read('nope.yml'))).code).toBe('SLIPWAY_GIT_PATH_NOT_FOUND');
    });

    it('changes a folder tree id only when something in that folder changes', async () => {
      const docker1 = await mirrors.treeId(appUrl, c1, 'docker');
      const docker2 = await mirrors.treeId(appUrl, c2, 'docker/');
      const docker3 = await mirrors.treeId(appUrl, c3, 'docker');
      expect(docker1).toMatch(/^[0-9a-f]{40}$/);
      expect(docker2).toBe(docker1); // c2 changed src/ only
      expect(docker3).not.toBe(docker1); // c3 changed docker/entry.sh
      expect(await mirrors.treeId(appUrl, c1, '.')).toBe(await mirrors.treeId(appUrl, c1, ''));
      expect(await mirrors.treeId(appUrl, c2, '.')).not.toBe(await mirrors.treeId(appUrl, c1, '.'));
      expect((await rejection(mirrors.treeId(appUrl, c1, '../..'))).code).toBe('SLIPWAY_GIT_BAD_PATH');
      expect((await rejection(mirrors.treeId(appUrl, c1, 'README.md'))).code).toBe('SLIPWAY_GIT_BAD_PATH');
      expect((await rejection(mirrors.treeId(appUrl, c1, 'nope'))).code).toBe('SLIPWAY_GIT_PATH_NOT_FOUND');
    });

    it('streams a folder as a tar archive relative to that folder', async () => {
      const file = join(scratch, 'docker.tar');
      await pipeline(await mirrors.archive(appUrl, c3, 'docker'), createWriteStream(file));
      expect(await tarList(file)).toEqual(['Dockerfile', 'entry.sh']);
      const rootTar = join(scratch, 'root.tar');
      await pipeline(await mirrors.archive(appUrl, c1, '.'), createWriteStream(rootTar));
      expect(await tarList(rootTar)).toEqual(['.gitpod.yml', 'README.md', 'docker/', 'docker/Dockerfile', 'docker/entry.sh', 'src/', 'src/index.ts'].sort());
      expect((await rejection(mirrors.archive(appUrl, c1, 'docker/../../x'))).code).toBe('SLIPWAY_GIT_BAD_PATH');
    });
  });

  describe('working trees', () => {
    it('checks out a branch with history, the real origin and tracking', async () => {
      const dest = join(scratch, 'wt-branch');
      await mirrors.createWorkingTree(appUrl, feature, 'feature/x', dest);
      const git = (...args: string[]): Promise<string> => runGitCommand(args, dest).then((s) => s.trim());
      expect(await git('remote', 'get-url', 'origin')).toBe(appUrl);
      expect(await git('rev-parse', 'HEAD')).toBe(feature);
      expect(await git('symbolic-ref', '--short', 'HEAD')).toBe('feature/x');
      expect(await git('rev-parse', '--abbrev-ref', '@{upstream}')).toBe('origin/feature/x');
      expect(await git('rev-list', '--count', 'HEAD')).toBe('4');
      expect(await git('status', '--porcelain')).toBe('');
      const remotes = (await git('for-each-ref', '--format=%(refname)', 'refs/remotes/origin/')).split('\n');
      expect(remotes).toEqual(expect.arrayContaining(['refs/remotes/origin/main', 'refs/remotes/origin/feature/x']));
      expect(existsSync(join(dest, '.git/objects/info/alternates'))).toBe(false);
      expect(await readFile(join(dest, 'feature.txt'), 'utf8')).toBe('on a branch\n');
    });

    it('checks out a commit detached', async () => {
      const dest = join(scratch, 'wt-detached');
      await mirrors.createWorkingTree(appUrl, c2, null, dest);
      expect((await runGitCommand(['rev-parse', 'HEAD'], dest)).trim()).toBe(c2);
      await expect(runGitCommand(['symbolic-ref', '-q', 'HEAD'], dest)).rejects.toThrow();
      expect((await runGitCommand(['status', '--porcelain'], dest)).trim()).toBe('');
    });

    it('checks out a pull request commit that is on no branch', async () => {
      const pr = await server.commit('app', { 'fork.txt': 'from a fork\n' }, 'Fork change', { branch: 'fork-tmp' });
      await server.pushRef('app', pr, 'refs/pull/3/head');
      await runGitCommand(['push', '--quiet', 'origin', ':refs/heads/fork-tmp'], appDir);
      await runGitCommand(['checkout', '--quiet', 'main'], appDir);
      const resolved = await mirrors.resolve(appUrl, { kind: 'pull', number: 3, provider: 'github' }, { as: AS });
      expect(resolved).toEqual({ commit: pr, branch: null });
      await mirrors.ensure(appUrl, { as: AS, fetch: true }); // prunes fork-tmp from the mirror
      expect((await mirrors.lsRemote(appUrl, AS)).has('fork-tmp')).toBe(false);
      const dest = join(scratch, 'wt-pr');
      await mirrors.createWorkingTree(appUrl, pr, null, dest);
      expect(await readFile(join(dest, 'fork.txt'), 'utf8')).toBe('from a fork\n');
      expect((await runGitCommand(['status', '--porcelain'], dest)).trim()).toBe('');
    });
  });

  describe('history and remote heads', () => {
    it('answers ancestry questions and logs a branch', async () => {
      expect(await mirrors.isAncestor(appUrl, c1, c3)).toBe(true);
      expect(await mirrors.isAncestor(appUrl, c3, c1)).toBe(false);
      expect(await mirrors.commitsBetween(appUrl, c1, c3)).toBe(2);
      expect(await mirrors.commitsBetween(appUrl, c3, c3)).toBe(0);
      expect(await mirrors.log(appUrl, 'main', 3)).toEqual([c3, c2, c1]);
      expect(await mirrors.log(appUrl, 'feature/x', 1)).toEqual([feature]);
      expect((await rejection(mirrors.log(appUrl, 'nope', 1))).code).toBe('SLIPWAY_GIT_UNKNOWN_BRANCH');
    });

    it('lists remote heads, including a new push', async () => {
      const before = await mirrors.lsRemote(appUrl, AS);
      expect(before.get('feature/x')).toBe(feature);
      const pushed = await server.commit('app', { 'new.txt': 'new\n' }, 'New push', { branch: 'main' });
      const after = await mirrors.lsRemote(appUrl, AS);
      expect(after.get('main')).toBe(pushed);
      expect(before.get('main')).not.toBe(pushed);
    });
  });

  describe('fetch sharing', () => {
    it('shares one clone between concurrent first callers', async () => {
      const repo = await server.createRepo('busy', { 'a.txt': 'a\n' });
      const before = server.countUploadPacks('busy');
      await Promise.all(Array.from({ length: 6 }, () => mirrors.ensure(repo.url, { as: AS })));
      expect(server.countUploadPacks('busy') - before).toBe(1);
    });

    it('shares one fetch between concurrent callers, and fetches only when asked', async () => {
      const repo = await server.createRepo('busy2', { 'a.txt': 'a\n' });
      await mirrors.ensure(repo.url, { as: AS });
      const head = await server.commit('busy2', { 'b.txt': 'b\n' }, 'Second');
      let count = server.countUploadPacks('busy2');
      await mirrors.ensure(repo.url, { as: AS });
      expect(server.countUploadPacks('busy2')).toBe(count); // present, no fetch asked
      await Promise.all(Array.from({ length: 6 }, () => mirrors.ensure(repo.url, { as: AS, fetch: true })));
      expect(server.countUploadPacks('busy2') - count).toBe(1);
      expect(await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS, fetch: false })).toEqual({ commit: head, branch: 'main' });
      count = server.countUploadPacks('busy2');
      await mirrors.ensure(repo.url, { as: AS, fetch: true });
      expect(server.countUploadPacks('busy2') - count).toBe(1);
    });
  });

  describe('access and failures', () => {
    it('fails fast without a token on a private repository, and works with one', async () => {
      const repo = await server.createRepo('secret', { 'private.txt': 'p\n' }, { private: { token: TOKEN } });
      const anonymous = createGitMirrors({ dataDir: join(scratch, 'anon'), egress });
      const started = Date.now();
      const error = await rejection(anonymous.resolve(repo.url, { kind: 'default' }, { as: AS }));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(error.code).toBe('SLIPWAY_GIT_AUTH_FAILED');
      expect(error.status).toBe(403);
      expect(error.message).toMatch(/access token/);
      expect((await rejection(anonymous.lsRemote(repo.url, AS))).code).toBe('SLIPWAY_GIT_AUTH_FAILED');

      const wrong = createGitMirrors({ dataDir: join(scratch, 'wrong'), credentialsFor: tokenFor('not-the-token'), egress });
      const refused = await rejection(wrong.resolve(repo.url, { kind: 'default' }, { as: AS }));
      expect(refused.code).toBe('SLIPWAY_GIT_AUTH_FAILED');
      // The refusal names the project whose token to fix.
      expect(refused.message).toContain('p_test');
      expect(refused.message).toMatch(/Fix that project's access token/);
      expect(JSON.stringify(refused)).not.toContain('not-the-token');

      const resolved = await mirrors.resolve(repo.url, { kind: 'default' }, { as: AS });
      expect(resolved.branch).toBe('main');
      expect((await mirrors.readFile(repo.url, resolved.commit, 'private.txt'))?.toString()).toBe('p\n');
      await server.commit('secret', { 'more.txt': 'm\n' }, 'More');
      await mirrors.ensure(repo.url, { as: AS, fetch: true });
      expect((await mirrors.lsRemote(repo.url, AS)).size).toBe(1);
      const dir = mirrors.dirFor(repo.url);
      const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
      for (const file of ['config', 'FETCH_HEAD']) {
        const text = await readFile(join(dir, file), 'utf8').catch(() => '');
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(basic);
      }
      expect(await readFile(join(dir, 'config'), 'utf8')).not.toMatch(/extraheader/i);
    });

    it('reports a missing repository and an unreachable host as clone failures', async () => {
      const missing = await rejection(mirrors.ensure(`${server.baseUrl}/nope.git`, { as: AS }));
      expect(missing.code).toBe('SLIPWAY_GIT_CLONE_FAILED');
      expect(missing.status).toBe(404);
      // An allowed host that does not answer gets the same text as a refused internal one (no port oracle).
      const unreachable = await rejection(mirrors.ensure('http://127.0.0.1:1/x.git', { as: AS }));
      expect(unreachable.code).toBe('SLIPWAY_GIT_HOST_UNREACHABLE');
      expect(unreachable.status).toBe(502);
      expect(unreachable.message).toBe(UNREACHABLE_MESSAGE);
      expect(unreachable.detail).toBeUndefined();
    });

    it('refuses hostile and disabled URLs before running git', async () => {
      expect((await rejection(mirrors.ensure('ext::sh -c touch% /tmp/pwned', { as: AS }))).code).toBe('SLIPWAY_GIT_BAD_URL');
      expect((await rejection(mirrors.ensure('file:///tmp/repo.git', { as: AS }))).code).toBe('SLIPWAY_GIT_BAD_URL');
      expect((await rejection(mirrors.lsRemote('-oProxyCommand=x', AS))).code).toBe('SLIPWAY_GIT_BAD_URL');
    });
  });
});
