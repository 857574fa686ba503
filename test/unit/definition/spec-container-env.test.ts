import { describe, expect, it } from 'vitest';
import { defaultSpec, resolveSpecContainerEnv } from '../../../server/definition/index.js';

describe('resolveSpecContainerEnv', () => {
  it("resolves ${containerEnv:...} in env, lifecycle and tasks against the image's env, and leaves the input alone", () => {
    const spec = {
      ...defaultSpec(),
      env: { WITH_PATH: '${containerEnv:PATH}:/opt/extra', MISSING: '${containerEnv:NOPE:fallback}' },
      lifecycle: { ...defaultSpec().lifecycle, postCreate: { a: 'echo ${containerEnv:HOME}', b: ['ls', '${containerEnv:WITH_PATH}'] } },
      tasks: [{ name: 't', before: null, init: 'cd ${containerEnv:HOME}', command: null, env: { X: '${containerEnv:PATH}' } }],
    };
    const resolved = resolveSpecContainerEnv(spec, { PATH: '/usr/bin:/bin', HOME: '/home/slipway' });
    expect(resolved.env).toEqual({ WITH_PATH: '/usr/bin:/bin:/opt/extra', MISSING: 'fallback' });
    expect(resolved.lifecycle.postCreate).toEqual({ a: 'echo /home/slipway', b: ['ls', '/usr/bin:/bin:/opt/extra'] });
    expect(resolved.tasks[0]).toMatchObject({ init: 'cd /home/slipway', env: { X: '/usr/bin:/bin' } });
    expect(spec.env.WITH_PATH).toBe('${containerEnv:PATH}:/opt/extra');
  });
});
