import { afterEach, describe, expect, it } from 'vitest';
import { cleanRepoPath } from '../../../server/git/read.js';
import { gitProcessEnv, httpOrigin, redact } from '../../../server/git/run.js';

describe('cleanRepoPath', () => {
  it.each([
    ['', ''],
    ['.', ''],
    ['./', ''],
    ['docker', 'docker'],
    ['docker/', 'docker'],
    ['./a//b/../c', 'a/c'],
  ])('%j → %j', (input, expected) => {
    expect(cleanRepoPath(input)).toBe(expected);
  });

  it.each(['..', '../x', 'a/../../x', '/etc', 'a\nb'])('refuses %j', (input) => {
    expect(() => cleanRepoPath(input)).toThrow(expect.objectContaining({ code: 'SLIPWAY_GIT_BAD_PATH', status: 400 }));
  });
});

describe('redact', () => {
  it('removes tokens, their base64 form, Authorization headers and URL credentials', () => {
    const text = 'fatal: tok123 https://u:pw@host/x Authorization: Basic dG9rMTIz\nok';
    const out = redact(text, ['tok123', 'dG9rMTIz']);
    expect(out).not.toMatch(/tok123|dG9rMTIz|u:pw/);
    expect(out).toContain('https://***@host/x');
    expect(out).toContain('\nok');
  });
});

describe('httpOrigin', () => {
  it.each([
    ['https://GitHub.com/a/b.git', 'https://github.com'],
    ['http://127.0.0.1:3000/a.git', 'http://127.0.0.1:3000'],
    ['git@github.com:a/b.git', null],
    ['ssh://git@host/a', null],
  ])('%s → %s', (url, origin) => {
    expect(httpOrigin(url)).toBe(origin);
  });
});

describe('gitProcessEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('drops redirecting GIT_* variables, never prompts and passes config through the environment', () => {
    process.env.GIT_DIR = '/elsewhere';
    process.env.GIT_CONFIG_COUNT = '5';
    process.env.GIT_SSL_CAINFO = '/ca.pem';
    process.env.SSH_ASKPASS = '/usr/bin/ksshaskpass';
    const env = gitProcessEnv([['http.https://h/.extraheader', 'Authorization: Basic x']]);
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.SSH_ASKPASS).toBeUndefined();
    expect(env.GIT_SSL_CAINFO).toBe('/ca.pem');
    expect(env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(env.GIT_ASKPASS).toBe('');
    expect(env.GIT_CONFIG_COUNT).toBe('1');
    expect(env.GIT_CONFIG_KEY_0).toBe('http.https://h/.extraheader');
    expect(env.GIT_CONFIG_VALUE_0).toBe('Authorization: Basic x');
  });
});

describe('gitProcessEnv ssh pinning', () => {
  const saved = process.env.GIT_SSH_COMMAND;
  afterEach(() => {
    if (saved === undefined) delete process.env.GIT_SSH_COMMAND;
    else process.env.GIT_SSH_COMMAND = saved;
  });

  it('adds the checked address to the default ssh command, quoted for the shell git runs it through', () => {
    delete process.env.GIT_SSH_COMMAND;
    const env = gitProcessEnv([], ['-o', 'HostName=203.0.113.7', '-o', "HostKeyAlias=it's"]);
    expect(env.GIT_SSH_COMMAND).toMatch(/^ssh -o BatchMode=yes .* '-o' 'HostName=203\.0\.113\.7' '-o' 'HostKeyAlias=it'\\''s'$/);
    expect(gitProcessEnv().GIT_SSH_COMMAND).not.toContain('HostName');
  });

  it('leaves an operator wrapper that is not plain ssh alone', () => {
    process.env.GIT_SSH_COMMAND = '/usr/local/bin/my-ssh-wrapper';
    expect(gitProcessEnv([], ['-o', 'HostName=203.0.113.7']).GIT_SSH_COMMAND).toBe('/usr/local/bin/my-ssh-wrapper');
  });
});
