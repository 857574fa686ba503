import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, findMatchingSecret, parseHexSignature, signBody } from '../../../server/webhooks/signatures.js';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const hex = createHmac('sha256', 'k').update(body).digest('hex');

describe('signatures', () => {
  it("signBody sets each provider's real headers", () => {
    expect(signBody('github', 'k', body, { deliveryId: 'd' })).toEqual({
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': 'd',
      'x-hub-signature-256': `sha256=${hex}`,
    });
    expect(signBody('gitlab', 'k', body)).toEqual({ 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'k' });
    expect(signBody('gitea', 'k', body)).toEqual({ 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-signature': hex });
    expect(signBody('bitbucket', 'k', body, { deliveryId: 'r' })).toEqual({
      'content-type': 'application/json',
      'x-event-key': 'repo:push',
      'x-request-uuid': 'r',
      'x-hub-signature': `sha256=${hex}`,
    });
    expect(signBody('generic', 'k', body)).toEqual({ 'content-type': 'application/json', 'x-slipway-signature-256': `sha256=${hex}` });
    // a string body signs the same as its UTF-8 bytes
    expect(signBody('generic', 'k', body.toString('utf8'))).toEqual(signBody('generic', 'k', body));
  });

  it('parseHexSignature accepts only <prefix><64 hex>', () => {
    expect(parseHexSignature(`sha256=${hex}`, 'sha256=')?.toString('hex')).toBe(hex);
    expect(parseHexSignature(`SHA256=${hex}`, 'sha256=')?.toString('hex')).toBe(hex);
    expect(parseHexSignature(hex, '')?.toString('hex')).toBe(hex);
    for (const bad of [hex, `sha1=${hex}`, `sha256=${hex}00`, `sha256=${hex.slice(2)}`, 'sha256=', `sha256= ${hex}x`]) {
      expect(parseHexSignature(bad, 'sha256='), bad).toBeNull();
    }
  });

  it('constantTimeEqual compares strings of any lengths', () => {
    expect(constantTimeEqual('token', 'token')).toBe(true);
    expect(constantTimeEqual('token', 'tokeN')).toBe(false);
    expect(constantTimeEqual('token', 'token-longer')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    expect(constantTimeEqual('é', 'é')).toBe(true);
  });

  it('findMatchingSecret returns the first matching index, -1 otherwise', () => {
    const cred = { kind: 'hmac-sha256' as const, header: 'x', digest: Buffer.from(hex, 'hex') };
    expect(findMatchingSecret(cred, body, ['a', 'k', 'k'])).toBe(1);
    expect(findMatchingSecret(cred, body, ['a', 'b'])).toBe(-1);
    expect(findMatchingSecret(cred, body, [])).toBe(-1);
    expect(findMatchingSecret(null, body, ['k'])).toBe(-1);
    expect(findMatchingSecret({ ...cred, digest: null }, body, ['k'])).toBe(-1);
    expect(findMatchingSecret({ kind: 'token', header: 'x', token: 'k' }, body, ['j', 'k'])).toBe(1);
  });
});
