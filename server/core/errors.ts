/**
 * The one error type of Slipway. Every failure a user or client can see carries
 * a stable code (`SLIPWAY_<AREA>_<WHAT>`, from the registry in error-codes.ts),
 * a message that says what to fix, and the HTTP status that fits it (the
 * registry's, unless the call site says otherwise). Codes are part of the API
 * contract: never rename one, add a new one instead.
 */
import { ERROR_CODES, type SlipwayErrorCode } from './error-codes.js';

export type { SlipwayErrorCode } from './error-codes.js';

export interface SlipwayErrorOptions {
  /** Only where this call answers with another status than the registry's (error-codes.ts `alsoStatus`). */
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
    this.status = options.status ?? ERROR_CODES[code].status;
    this.detail = options.detail;
  }

  toJSON(): ErrorBody {
    return errorBody(this);
  }
}

/** The one shape of every error answer (HTTP bodies, refused upgrades, the port proxy's JSON). */
export interface ErrorBody {
  code: SlipwayErrorCode;
  message: string;
  detail?: unknown;
}

/** Writes the body of an error answer; every error the server sends goes through here. */
export function errorBody(error: SlipwayError): ErrorBody {
  return error.detail === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, detail: error.detail };
}

/** Builds a SlipwayError; the factory form keeps call sites short. */
export function slipwayError(code: SlipwayErrorCode, message: string, options: SlipwayErrorOptions = {}): SlipwayError {
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
