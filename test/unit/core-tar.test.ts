import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTar } from '../../server/core/tar.js';

describe('createTar', () => {
  it('writes archives that GNU tar extracts byte for byte, with modes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-tar-'));
    const big = Buffer.alloc(1300, 7);
    writeFileSync(
      path.join(dir, 'a.tar'),
      createTar([
        { name: 'rc.sh', content: 'echo "héllo"\n', mode: 0o755 },
        { name: 'big.bin', content: big },
      ]),
    );
    execFileSync('tar', ['-xf', 'a.tar'], { cwd: dir });
    expect(readFileSync(path.join(dir, 'rc.sh'), 'utf8')).toBe('echo "héllo"\n');
    expect(statSync(path.join(dir, 'rc.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(dir, 'big.bin')).equals(big)).toBe(true);
  });
});
