/** The one way the UI talks to the server: same-origin fetch with the session cookie. */
import type { ApiError } from './api-types.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called on a 401 so the app can send the user to the login page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void) {
  onUnauthorized = handler;
}

async function toError(response: Response): Promise<HttpError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ApiError>;
    if (body && typeof body.message === 'string') return new HttpError(response.status, body.code ?? 'SLIPWAY_HTTP_ERROR', body.message);
  } catch {
    // not JSON: fall through to the status line
  }
  if (response.status === 404)
    return new HttpError(404, 'SLIPWAY_HTTP_NOT_FOUND', `This server has no ${response.url.replace(location.origin, '')} (HTTP 404)`);
  return new HttpError(response.status, 'SLIPWAY_HTTP_ERROR', text.slice(0, 200) || `HTTP ${response.status} ${response.statusText}`);
}

export async function api<T>(method: string, path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new HttpError(0, 'SLIPWAY_HTTP_UNREACHABLE', 'The Slipway server cannot be reached. Is it running?');
  }
  if (!response.ok) {
    const error = await toError(response);
    if (response.status === 401 && !options.quiet401) onUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Streams a followed text log (`?follow=1`) into `onText` until it ends or
 * `signal` aborts. Resolves when the server closes the stream.
 */
export async function streamText(path: string, onText: (text: string) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(path, { credentials: 'same-origin', signal });
  if (!response.ok) throw await toError(response);
  if (!response.body) {
    onText(await response.text());
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest) onText(rest);
}
