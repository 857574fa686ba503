import { describe, expect, it } from 'vitest';
import { cidrContains, formatCidr, ipv4ToInt, parseCidr, pickSubnet, socketIpv4 } from '../../../server/runtime/cidr.js';

const c = (text: string) => parseCidr(text)!;

describe('CIDR arithmetic of the workspace network pool', () => {
  it.each([
    ['10.213.0.0/16', '10.213.0.0/16'],
    ['10.213.7.9/28', '10.213.7.0/28'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
  ])('parses %s as %s (host bits cleared)', (text, expected) => {
    expect(formatCidr(c(text))).toBe(expected);
  });

  it.each(['10.213.0.0', '10.213.0.0/33', '10.256.0.0/16', '::1/128', 'a.b.c.d/8', ''])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeNull();
  });

  it('picks the first free subnet, skipping taken and overlapping ranges', () => {
    const pool = c('10.213.0.0/16');
    expect(formatCidr(pickSubnet(pool, 28, [])!)).toBe('10.213.0.0/28');
    expect(formatCidr(pickSubnet(pool, 28, [c('10.213.0.0/28'), c('10.213.0.16/28')])!)).toBe('10.213.0.32/28');
    // A wider network in the way (another tool's /24) is skipped whole.
    expect(formatCidr(pickSubnet(pool, 28, [c('10.213.0.0/24')])!)).toBe('10.213.1.0/28');
    // A host interface inside the pool (a /32 or its LAN) is never shadowed.
    expect(formatCidr(pickSubnet(pool, 28, [c('10.213.0.5/32')])!)).toBe('10.213.0.16/28');
  });

  it('says when the pool is full', () => {
    expect(pickSubnet(c('10.213.0.0/27'), 28, [c('10.213.0.0/28'), c('10.213.0.16/28')])).toBeNull();
    expect(pickSubnet(c('10.213.0.0/16'), 28, [c('10.0.0.0/8')])).toBeNull();
  });

  it('recognizes workspace addresses as a socket reports them', () => {
    const pool = c('10.213.0.0/16');
    expect(cidrContains(pool, socketIpv4('10.213.4.2')!)).toBe(true);
    expect(cidrContains(pool, socketIpv4('::ffff:10.213.4.2')!)).toBe(true);
    expect(cidrContains(pool, socketIpv4('10.214.0.1')!)).toBe(false);
    expect(socketIpv4('::1')).toBeNull();
    expect(ipv4ToInt('1.2.3.4')).toBe(0x01020304);
  });
});
