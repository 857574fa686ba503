/**
 * Hostile or broken input: the parser answers with diagnostics, quickly, and
 * never throws. Definitions come from any repository a user opens.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEFINITION_BYTES, parseDefinition } from '../../../server/definition/index.js';

/** The classic "billion laughs": 9 levels of 9 aliases each, about 387 million strings if expanded. */
function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    const prev = `*${names[i - 1]}`;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(prev).join(',')}]`);
  }
  lines.push('tasks:\n  - init: *i');
  return `${lines.join('\n')}\n`;
}

describe('size limit', () => {
  const big = (bytes: number) => `# ${'x'.repeat(bytes - 3)}\n`;

  it.each([
    ['.gitpod.yml', 'string'],
    ['.gitpod.yml', 'buffer'],
    ['.devcontainer/devcontainer.json', 'string'],
    ['.devcontainer/devcontainer.json', 'buffer'],
  ])('refuses %s over 1 MiB given as a %s, without parsing it', (file, kind) => {
    const text = big(MAX_DEFINITION_BYTES + 1);
    const r = parseDefinition(file, kind === 'buffer' ? Buffer.from(text) : text);
    expect(r.errors).toEqual([
      {
        message: `the file is ${MAX_DEFINITION_BYTES + 1} bytes; Slipway reads definition files up to ${MAX_DEFINITION_BYTES} bytes (1 MiB)`,
        path: '',
        line: 1,
        column: 1,
        file,
      },
    ]);
    expect(r.spec.image).toEqual({ kind: 'default' });
  });

  it('counts bytes, not characters', () => {
    const text = `# ${'é'.repeat(MAX_DEFINITION_BYTES / 2)}\n`;
    expect(text.length).toBeLessThan(MAX_DEFINITION_BYTES);
    expect(parseDefinition('.gitpod.yml', text).errors[0]!.message).toMatch(/Slipway reads definition files up to/);
  });

  it('reads a file of exactly 1 MiB', () => {
    const r = parseDefinition('.gitpod.yml', big(MAX_DEFINITION_BYTES));
    expect(r.errors).toEqual([]);
  });
});

describe('YAML alias bomb', () => {
  it('is an error at the first alias, not a hang or an out-of-memory', () => {
    const started = Date.now();
    const r = parseDefinition('.gitpod.yml', billionLaughs());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 2, column: 8, path: '' });
    expect(r.errors[0]!.message).toMatch(/aliases \(like `\*a`\) expand to too much data/);
    expect(r.spec.tasks).toEqual([]);
  });

  it('allows ordinary reuse below the limit', () => {
    const r = parseDefinition('.gitpod.yml', 'env: &e\n  A: "1"\ntasks:\n' + Array.from({ length: 20 }, () => '  - command: x\n    env: *e\n').join(''));
    expect(r.errors).toEqual([]);
    expect(r.spec.tasks).toHaveLength(20);
  });
});

describe('never throws', () => {
  it.each([
    ['.gitpod.yml', '['.repeat(100_000)],
    ['.gitpod.yml', `a:\n${'  '.repeat(1)}${'- '.repeat(50_000)}x\n`],
    ['.devcontainer/devcontainer.json', '['.repeat(200_000)],
    ['.devcontainer/devcontainer.json', `{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_001)}`],
  ])('%s nested very deeply gives errors or a result, no exception', (file, text) => {
    const r = parseDefinition(file, text);
    expect(r.format).not.toBe('default');
    expect(Array.isArray(r.errors)).toBe(true);
  });

  it('refuses bytes that are not UTF-8', () => {
    const r = parseDefinition('.gitpod.yml', Buffer.from([0x69, 0x6d, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    expect(r.errors.map((e) => e.message)).toEqual(['the file is not valid UTF-8 text; save it as UTF-8']);
  });

  it('refuses a file name of no known format', () => {
    const r = parseDefinition('config.toml', 'a = 1');
    expect(r.format).toBe('default');
    expect(r.errors[0]!.message).toBe('cannot tell the format of "config.toml": name it .gitpod.yml or devcontainer.json');
  });

  it('survives random bytes and random edits of real files', () => {
    // A tiny deterministic PRNG, so that a failure can be replayed.
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const base = [
      'image:\n  file: D\ntasks:\n  - init: a\n    command: b\nports:\n  - port: 3000-3010\n',
      '{ "build": { "dockerfile": "D" }, "forwardPorts": [1, "a:2"], "postCreateCommand": { "x": ["y"] } }',
    ];
    const alphabet = '{}[]:,"\'-&*!|>#\n\t \\$%@`0123456789abc';
    for (let i = 0; i < 400; i++) {
      const b = base[i % 2]!;
      const chars = b.split('');
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) {
        chars.splice(Math.floor(rand() * chars.length), Math.floor(rand() * 3), alphabet[Math.floor(rand() * alphabet.length)]!);
      }
      const file = i % 2 === 0 ? '.gitpod.yml' : '.devcontainer.json';
      expect(() => parseDefinition(file, chars.join(''))).not.toThrow();
      const bytes = Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256)));
      expect(() => parseDefinition(file, bytes)).not.toThrow();
    }
  });
});

describe('paths that leave the repository', () => {
  it.each([
    ['.gitpod.yml', 'image:\n  file: ../../etc/Dockerfile', 'image.file'],
    ['.gitpod.yml', 'image:\n  file: /Dockerfile', 'image.file'],
    ['.gitpod.yml', 'image:\n  file: D\n  context: ..', 'image.context'],
    ['.gitpod.yml', 'checkoutLocation: ../../root', 'checkoutLocation'],
    ['.devcontainer/devcontainer.json', '{ "build": { "dockerfile": "../../Dockerfile" } }', 'build.dockerfile'],
    ['.devcontainer/devcontainer.json', '{ "build": { "dockerfile": "D", "context": "../.." } }', 'build.context'],
    ['.devcontainer/x/devcontainer.json', '{ "build": { "dockerfile": "../../../D" } }', 'build.dockerfile'],
    ['.devcontainer.json', '{ "dockerFile": "../D" }', 'dockerFile'],
    ['.devcontainer.json', '{ "dockerComposeFile": "/etc/compose.yml", "service": "a" }', 'dockerComposeFile'],
  ])('%s %j is an error on %s', (file, text, path) => {
    const r = parseDefinition(file, text);
    expect(r.errors.map((e) => e.path)).toEqual([path]);
  });
});
