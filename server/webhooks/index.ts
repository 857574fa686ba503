/**
 * Push webhooks, the pure part: verify a forge's (or Slipway's generic)
 * webhook request and read the pushed branches out of it. No HTTP framework
 * here: `http/` mounts `POST /api/webhooks/:provider` on top of this.
 */
export { verifyAndParseWebhook } from './verify.js';
export { normalizeRepoKey, tryNormalizeRepoKey } from './repo-key.js';
export { createDeliveryLog, type DeliveryLog } from './deliveries.js';
export { signBody, hmacSha256Hex, type SignOptions } from './signatures.js';
export {
  WEBHOOK_PROVIDERS,
  isWebhookProvider,
  type BranchPush,
  type WebhookHeaders,
  type WebhookIgnored,
  type WebhookInput,
  type WebhookOptions,
  type WebhookProvider,
  type WebhookPush,
  type WebhookResult,
} from './types.js';
