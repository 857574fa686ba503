import { randomBytes, createHash } from 'node:crypto';

/** Lower-case, DNS-label-safe random id (used in port subdomains and hostnames). */
export function newId(prefix = ''): string {
  // 12 base32 characters = 60 bits: collision-free for any one server's lifetime.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(12);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % 32];
  return prefix + id;
}

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('hex');
}
