import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadOrCreateKey } from '../../../server/projects/crypto.js';

describe('secret box', () => {
  it('makes the key file once, mode 0600, and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-key-'));
    const key = loadOrCreateKey(dir);
    const file = path.join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(key.length).toBe(32);
    expect(loadOrCreateKey(dir).equals(key)).toBe(true);
  });

  it('round-trips and never stores the plain text', () => {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const sealed = box.encrypt('ghp_secret-token');
    expect(sealed).not.toContain('ghp_secret');
    expect(box.encrypt('ghp_secret-token')).not.toBe(sealed); // random IV
    expect(box.decrypt(sealed)).toBe('ghp_secret-token');
  });

  it('detects tampering and a wrong key', () => {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const sealed = box.encrypt('value');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow(/altered/);
    expect(() => createSecretBox(Buffer.alloc(32, 8)).decrypt(sealed)).toThrow(/cannot be decrypted/);
    expect(() => box.decrypt('garbage')).toThrow(/unknown format/);
  });

  it('refuses a key file of the wrong size', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-key-'));
    writeFileSync(path.join(dir, 'secret.key'), Buffer.alloc(16).toString('base64'));
    expect(() => loadOrCreateKey(dir)).toThrow(/32-byte/);
    expect(readFileSync(path.join(dir, 'secret.key'), 'utf8')).not.toBe('');
  });
});
