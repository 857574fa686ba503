/** The shape of one entry of the error registry (error-codes.ts), shared by its area files. */
export interface ErrorCodeInfo {
  /** The HTTP status of an error with this code, unless the call site says otherwise. */
  readonly status: number;
  /** Statuses some call sites answer with instead, kept because clients rely on them. */
  readonly alsoStatus?: readonly number[];
  /** What it means, in one sentence. */
  readonly summary: string;
  /** What the user (or the operator) can do about it. */
  readonly fix: string;
}

export interface ErrorArea {
  readonly title: string;
  readonly codes: Readonly<Record<`SLIPWAY_${string}`, ErrorCodeInfo>>;
}
