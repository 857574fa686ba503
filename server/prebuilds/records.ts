/**
 * The one writer of prebuild rows after their insert: read the stored row,
 * run the phase machine, save its result. Synchronous from read to write
 * (better-sqlite3 and one event loop), so no other change can slip in
 * between and be lost, whoever holds an older copy of the record.
 */
import { slipwayError } from '../core/errors.js';
import type { PrebuildRecord, PrebuildStore } from '../store/prebuilds.js';
import { transitionPrebuild, type PrebuildEffect, type PrebuildEvent } from './phase-machine.js';

export function applyPrebuildEvent(
  store: Pick<PrebuildStore, 'get' | 'save'>,
  id: string,
  event: PrebuildEvent,
): { record: PrebuildRecord; effects: PrebuildEffect[] } {
  const current = store.get(id);
  if (!current) throw slipwayError('SLIPWAY_PREBUILD_NOT_FOUND', `No prebuild "${id}"`, { status: 404 });
  const result = transitionPrebuild(current, event);
  if (!result.ok) throw slipwayError('SLIPWAY_PREBUILD_INVALID_STATE', `The prebuild is ${current.status}: ${result.error}`, { status: 409 });
  // A no-op (e.g. a supersede of a job that ended meanwhile) writes nothing.
  if (JSON.stringify(result.record) !== JSON.stringify(current)) store.save(result.record);
  return { record: result.record, effects: result.effects };
}
