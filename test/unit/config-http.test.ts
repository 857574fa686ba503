import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/config.js';

describe('config of the HTTP boundary', () => {
  it('defaults: 1 MiB bodies, no trusted proxy, no metrics token', () => {
    const config = loadConfig({}, '/srv/slipway');
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.trustProxy).toBe(false);
    expect(config.metricsToken).toBeNull();
  });

  it('reads SLIPWAY_BODY_LIMIT_BYTES, SLIPWAY_TRUST_PROXY and SLIPWAY_METRICS_TOKEN', () => {
    expect(loadConfig({ SLIPWAY_BODY_LIMIT_BYTES: '4096' }).bodyLimitBytes).toBe(4096);
    expect(loadConfig({ SLIPWAY_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ SLIPWAY_TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ SLIPWAY_TRUST_PROXY: '10.0.0.1, 172.16.0.0/12,loopback,::1,fd00::/8' }).trustProxy).toEqual([
      '10.0.0.1',
      '172.16.0.0/12',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
    expect(loadConfig({ SLIPWAY_METRICS_TOKEN: 'a-long-enough-metrics-token' }).metricsToken).toBe('a-long-enough-metrics-token');
  });

  it.each([
    ['SLIPWAY_BODY_LIMIT_BYTES', '1mb', /SLIPWAY_BODY_LIMIT_BYTES must be a whole number/],
    ['SLIPWAY_BODY_LIMIT_BYTES', '10', /SLIPWAY_BODY_LIMIT_BYTES/],
    ['SLIPWAY_TRUST_PROXY', 'maybe', /SLIPWAY_TRUST_PROXY must be true, false or a comma-separated list/],
    ['SLIPWAY_TRUST_PROXY', '10.0.0.0/33', /SLIPWAY_TRUST_PROXY/],
    ['SLIPWAY_TRUST_PROXY', '10.0.0.1/8/1', /SLIPWAY_TRUST_PROXY/],
    ['SLIPWAY_METRICS_TOKEN', 'short', /SLIPWAY_METRICS_TOKEN must be at least 16/],
  ])('%s=%s stops the start with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
