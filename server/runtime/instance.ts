/**
 * This server's identity on the Docker engine (issue 12 item 20). Several
 * Slipway servers (two data dirs: staging and production, or test runs) may
 * share one engine; each labels every container, network and image it makes
 * `slipway.instance=<id>`, and lists, reconciles and removes only its own.
 * The id lives in `<dataDir>/instance-id`, made at first start: it belongs
 * to the data dir (back it up with the database), not to the machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { slipwayError } from '../core/errors.js';

const VALID = /^slw-[0-9a-f]{16}$/;

export function loadInstanceId(dataDir: string): string {
  const file = path.join(dataDir, 'instance-id');
  for (let attempt = 0; attempt < 2; attempt++) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      try {
        // wx: two processes starting on a fresh data dir agree on the first one written.
        writeFileSync(file, `slw-${randomBytes(8).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (writeError) {
        if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      }
      continue;
    }
    if (!VALID.test(text)) {
      throw slipwayError(
        'SLIPWAY_RUNTIME_INSTANCE_ID_INVALID',
        `${file} does not hold a Slipway instance id (slw- and 16 hex digits): restore it from a backup of the data dir; it ties this server to the containers, networks and images it made`,
      );
    }
    return text;
  }
  throw slipwayError('SLIPWAY_RUNTIME_INSTANCE_ID_INVALID', `${file} could not be created`);
}
