import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { isSlipwayError, type SlipwayError } from '../../../server/core/errors.js';

/** The exact bytes of a fixture, as a forge would send them. */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../fixtures/webhooks/${name}`, import.meta.url));
}

/** A fixture changed through `edit`, re-serialized (new bytes: sign these). */
export function edited(name: string, edit: (payload: any) => void): Buffer {
  const payload = JSON.parse(fixture(name).toString('utf8'));
  edit(payload);
  return Buffer.from(JSON.stringify(payload, null, 2));
}

/** `secretsFor` over a fixed table of repo keys, recording each lookup. */
export function registry(table: Record<string, string[]>) {
  const calls: string[] = [];
  return {
    calls,
    secretsFor: (repoKey: string): string[] => {
      calls.push(repoKey);
      return table[repoKey] ?? [];
    },
  };
}

/** Runs `fn`, expects a SlipwayError with that status and code, returns it. */
export function expectSlipwayError(fn: () => unknown, status: number, code: string): SlipwayError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a throw').toBeDefined();
  if (!isSlipwayError(caught)) throw caught;
  expect({ status: caught.status, code: caught.code }).toEqual({ status, code });
  return caught;
}

export const ZERO_SHA = '0000000000000000000000000000000000000000';
