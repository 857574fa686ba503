/**
 * The one error type of Slipway. Every failure a user or client can see carries
 * a stable code (`SLIPWAY_<AREA>_<WHAT>`), a message that says what to fix, and
 * the HTTP status that fits it. Codes are part of the API contract: never rename
 * one, add a new one instead.
 */
export type SlipwayErrorCode = `SLIPWAY_${string}`;

export interface SlipwayErrorOptions {
  status?: number;
  detail?: unknown;
  cause?: unknown;
}

export class SlipwayError extends Error {
  readonly code: SlipwayErrorCode;
  readonly status: number;
  readonly detail: unknown;

  constructor(code: SlipwayErrorCode, message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.status = options.status ?? 500;
    this.detail = options.detail;
  }

  toJSON(): { code: string; message: string; detail?: unknown } {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

/** Builds a SlipwayError; the factory form keeps call sites short. */
export function slipwayError(
  code: SlipwayErrorCode,
  message: string,
  options: SlipwayErrorOptions = {},
): SlipwayError {
  return new SlipwayError(code, message, options);
}

export function isSlipwayError(value: unknown): value is SlipwayError {
  return value instanceof SlipwayError;
}

/** Best-effort message of anything thrown, for logs and failure reasons. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
