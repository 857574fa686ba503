/**
 * Secrets at rest (webhook secrets, access tokens): AES-256-GCM with a key
 * kept in `<dataDir>/secret.key` (mode 0600, made on first start). A stolen
 * database alone reveals nothing; GCM's tag makes a tampered value fail to
 * decrypt instead of decrypting to garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { slipwayError } from '../core/errors.js';

const VERSION = 'v1';

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** Reads the key file, or makes it (32 random bytes, base64, mode 0600) when absent. */
export function loadOrCreateKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // 'wx' fails if another process made it in between: then read theirs.
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw slipwayError(
      'SLIPWAY_CONFIG_INVALID',
      `${file} must hold a base64 32-byte key; restore it from a backup (without it, stored secrets cannot be read)`,
    );
  }
  return key;
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; the version lets the scheme change later. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key');
  return {
    encrypt(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    decrypt(sealed: string): string {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) {
        throw slipwayError('SLIPWAY_PROJECT_SECRET_UNREADABLE', 'A stored secret has an unknown format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1]!, 'base64url'));
        decipher.setAuthTag(Buffer.from(parts[2]!, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw slipwayError(
          'SLIPWAY_PROJECT_SECRET_UNREADABLE',
          'A stored secret cannot be decrypted: it was altered, or secret.key is not the key it was sealed with',
          { cause },
        );
      }
    },
  };
}
