/**
 * Public types of the webhook module. Pure data: no HTTP framework, no store.
 */

export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucket', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export function isWebhookProvider(value: unknown): value is WebhookProvider {
  return typeof value === 'string' && (WEBHOOK_PROVIDERS as readonly string[]).includes(value);
}

/** Request headers as Node gives them: lower-cased names. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface WebhookInput {
  provider: WebhookProvider;
  headers: WebhookHeaders;
  /** The body exactly as received: signatures are computed over these bytes. */
  rawBody: Buffer;
  /**
   * Candidate secrets of the projects whose normalized repo URL equals
   * `repoKey` (see `normalizeRepoKey`). May be called once per distinct key
   * that the payload's URLs normalize to. Empty strings are never accepted.
   */
  secretsFor: (repoKey: string) => string[];
}

export interface WebhookOptions {
  /**
   * When no project matches the payload's repository: `false` (default)
   * answers 401 SLIPWAY_WEBHOOK_BAD_SIGNATURE, indistinguishable from a wrong
   * secret, with the real reason in `error.cause` for server logs; `true`
   * answers 404 SLIPWAY_WEBHOOK_UNKNOWN_REPO (easier to debug, but tells an
   * unauthenticated caller which repositories are registered).
   */
  revealUnknownRepo?: boolean;
}

/** One branch update. `before` is null when unknown or when the branch was created. */
export interface BranchPush {
  branch: string;
  /** Full ref, always `refs/heads/<branch>`. */
  ref: string;
  /** Full commit sha (40 or 64 lower-case hex). */
  after: string;
  before: string | null;
}

/**
 * A verified push. A delivery can update several branches (Bitbucket sends
 * one delivery per `git push`, with one change per ref): `pushes` holds every
 * branch update, newest first when the forge dates them; the flat
 * `branch/ref/after/before` fields repeat `pushes[0]` for convenience.
 */
export interface WebhookPush extends BranchPush {
  kind: 'push';
  provider: WebhookProvider;
  deliveryId: string | null;
  /** Every clone/web URL the payload names for the repository, in payload order, deduplicated. */
  repoUrls: string[];
  /** The normalized key whose secret matched. */
  repoKey: string;
  /** Index into `secretsFor(repoKey)` of the secret that matched. */
  matchedSecretIndex: number;
  /** Non-empty. */
  pushes: BranchPush[];
}

export interface WebhookIgnored {
  kind: 'ignored';
  provider: WebhookProvider;
  deliveryId: string | null;
  reason: string;
  /**
   * Whether the signature was checked. Events that name no repository (for
   * example an organization-level GitHub ping) cannot be matched to a secret:
   * they are ignored unverified, which is safe because nothing is done for them.
   */
  verified: boolean;
}

export type WebhookResult = WebhookPush | WebhookIgnored;
