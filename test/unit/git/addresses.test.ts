import { describe, expect, it } from 'vitest';
import { decideEgress, formatIp, internalReason, parseAllowList, parseCidr, parseIp, type EgressPolicy } from '../../../server/git/addresses.js';
import { remoteEndpoint, repoOrigin } from '../../../server/git/identity.js';

const ip = (text: string) => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`not an address: ${text}`);
  return parsed;
};

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', 4, '127.0.0.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['::1', 6, '0:0:0:0:0:0:0:1'],
    ['[::1]', 6, '0:0:0:0:0:0:0:1'],
    ['::', 6, '0:0:0:0:0:0:0:0'],
    ['fe80::1%eth0', 6, 'fe80:0:0:0:0:0:0:1'],
    ['::ffff:127.0.0.1', 6, '0:0:0:0:0:ffff:7f00:1'],
    ['::FFFF:7f00:1', 6, '0:0:0:0:0:ffff:7f00:1'],
    ['2001:db8:0:0:0:0:2:1', 6, '2001:db8:0:0:0:0:2:1'],
    ['1:2:3:4:5:6:1.2.3.4', 6, '1:2:3:4:5:6:102:304'],
  ])('%s', (text, family, formatted) => {
    const parsed = ip(text);
    expect(parsed.family).toBe(family);
    expect(formatIp(parsed)).toBe(formatted);
  });

  it.each([
    '',
    'localhost',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '0x7f.0.0.1',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    'g::1',
    '::ffff:1.2.3.256',
    '1.2.3.4/8',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeNull();
  });
});

describe('internalReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.17.0.2', 'Docker'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (IPv4 inside IPv6)'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
  ])('%s is internal (%s)', (text, why) => {
    expect(internalReason(ip(text))).toContain(why);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '140.82.112.3',
    '2606:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('%s is public', (text) => {
    expect(internalReason(ip(text))).toBeNull();
  });
});

describe('parseAllowList', () => {
  it('reads hosts, host:port, addresses, [v6]:port, CIDR ranges and *', () => {
    expect(parseAllowList(' git.corp.example, GIT.Other.example:8443 ,10.0.0.5, 10.0.0.6:3000,[fd00::1]:443, fd00::2, 10.0.0.0/8, fd00::/8, * ,')).toEqual([
      { kind: 'host', host: 'git.corp.example', port: null },
      { kind: 'host', host: 'git.other.example', port: 8443 },
      { kind: 'ip', ip: ip('10.0.0.5'), port: null },
      { kind: 'ip', ip: ip('10.0.0.6'), port: 3000 },
      { kind: 'ip', ip: ip('fd00::1'), port: 443 },
      { kind: 'ip', ip: ip('fd00::2'), port: null },
      { kind: 'cidr', cidr: parseCidr('10.0.0.0/8') },
      { kind: 'cidr', cidr: parseCidr('fd00::/8') },
      { kind: 'any' },
    ]);
    expect(parseAllowList('')).toEqual([]);
    expect(parseAllowList(null)).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', 'host:99999', 'host:0', 'bad host', 'a_b.example', 'http://git.example', '[::1', '10.0.0.1/8/9'])(
    'refuses %j naming it',
    (entry) => {
      expect(() => parseAllowList(`ok.example, ${entry}`)).toThrow(entry.trim());
    },
  );

  it('normalizes a CIDR base', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual(parseCidr('10.0.0.0/8'));
  });
});

describe('decideEgress', () => {
  const policy = (allow: string, extra: Partial<EgressPolicy> = {}): EgressPolicy => ({
    allow: parseAllowList(allow),
    ownPorts: [8080],
    ownAddresses: [ip('192.0.2.10')],
    extraInternal: [],
    ...extra,
  });
  const target = (host: string, port: number, ...addresses: string[]) => ({ host, port, addresses: addresses.map(ip) });

  it.each<[string, ReturnType<typeof target>, string, boolean]>([
    ['a public address, no allow list', target('github.com', 443, '140.82.112.3'), '', true],
    ['loopback, no allow list', target('127.0.0.1', 3000, '127.0.0.1'), '', false],
    ['a name resolving to loopback', target('localhost', 3000, '127.0.0.1', '::1'), '', false],
    ['one internal answer among public ones (rebinding)', target('evil.example', 443, '140.82.112.3', '10.0.0.1'), '', false],
    ['no address at all', target('nowhere.example', 443), '*', false],
    ['loopback allowed by address', target('localhost', 3000, '127.0.0.1'), '127.0.0.1', true],
    ['::1 not admitted by 127.0.0.1', target('localhost', 3000, '127.0.0.1', '::1'), '127.0.0.1', false],
    ['allowed by host name', target('git.corp.example', 443, '10.1.1.1'), 'git.corp.example', true],
    ['host name entry with another port', target('git.corp.example', 443, '10.1.1.1'), 'git.corp.example:8443', false],
    ['host name entry with this port', target('git.corp.example', 8443, '10.1.1.1'), 'git.corp.example:8443', true],
    ['another host name', target('git.evil.example', 443, '10.1.1.1'), 'git.corp.example', false],
    ['allowed by CIDR', target('git.corp.example', 443, '10.1.1.1'), '10.0.0.0/8', true],
    ['outside the CIDR', target('x.example', 443, '192.168.1.1'), '10.0.0.0/8', false],
    ['address:port, same port', target('10.0.0.5', 3000, '10.0.0.5'), '10.0.0.5:3000', true],
    ['address:port, other port', target('10.0.0.5', 3001, '10.0.0.5'), '10.0.0.5:3000', false],
    ['IPv4-mapped loopback', target('::ffff:127.0.0.1', 80, '::ffff:127.0.0.1'), '', false],
    ['link-local metadata', target('169.254.169.254', 80, '169.254.169.254'), '', false],
    ['* allows all', target('localhost', 3000, '127.0.0.1', '::1'), '*', true],
    ["the server's own port on a public address", target('example.org', 8080, '93.184.215.14'), '', false],
    ["the server's own port, host entry without port", target('127.0.0.1', 8080, '127.0.0.1'), '127.0.0.1', false],
    ["the server's own port, CIDR", target('127.0.0.1', 8080, '127.0.0.1'), '127.0.0.0/8', false],
    ["the server's own port, explicit entry", target('127.0.0.1', 8080, '127.0.0.1'), '127.0.0.1:8080', true],
    ["the server's own port, *", target('127.0.0.1', 8080, '127.0.0.1'), '*', true],
    ["one of this machine's addresses", target('me.example', 443, '192.0.2.10'), '', false],
  ])('%s', (_what, t, allow, ok) => {
    expect(decideEgress(t, policy(allow)).ok).toBe(ok);
  });

  it('refuses a Docker network subnet given at run time, even a public-looking one', () => {
    const docker = { extraInternal: [parseCidr('203.0.113.0/24')!] };
    expect(decideEgress(target('ws.example', 80, '203.0.113.5'), policy('', docker)).ok).toBe(false);
    expect(decideEgress(target('ws.example', 80, '203.0.114.5'), policy('', docker)).ok).toBe(true);
  });

  it('says why, for the log', () => {
    const decision = decideEgress(target('localhost', 3000, '127.0.0.1'), policy(''));
    expect(decision).toEqual({ ok: false, reason: '127.0.0.1 is loopback' });
  });
});

describe('remoteEndpoint and repoOrigin', () => {
  it.each([
    ['https://GitHub.com/o/r.git', { scheme: 'https', host: 'github.com', port: 443 }, 'https://github.com:443'],
    ['https://github.com:443/o/r.git', { scheme: 'https', host: 'github.com', port: 443 }, 'https://github.com:443'],
    ['http://127.0.0.1:3000/r.git', { scheme: 'http', host: '127.0.0.1', port: 3000 }, 'http://127.0.0.1:3000'],
    ['http://git.example/r.git', { scheme: 'http', host: 'git.example', port: 80 }, 'http://git.example:80'],
    ['http://[::1]:8080/r.git', { scheme: 'http', host: '::1', port: 8080 }, 'http://[::1]:8080'],
    ['ssh://git@host.example:2222/o/r', { scheme: 'ssh', host: 'host.example', port: 2222 }, null],
    ['git@github.com:o/r.git', { scheme: 'ssh', host: 'github.com', port: 22 }, null],
    ['git://host.example/r.git', { scheme: 'git', host: 'host.example', port: 9418 }, null],
  ])('%s', (url, endpoint, origin) => {
    expect(remoteEndpoint(url)).toEqual(endpoint);
    expect(repoOrigin(url)).toBe(origin);
  });

  it('has no endpoint for file URLs', () => {
    expect(remoteEndpoint('file:///srv/repo.git')).toBeNull();
    expect(repoOrigin('file:///srv/repo.git')).toBeNull();
  });

  it('tells http and https, and ports, apart', () => {
    expect(repoOrigin('http://h.example/r')).not.toBe(repoOrigin('https://h.example/r'));
    expect(repoOrigin('https://h.example:8443/r')).not.toBe(repoOrigin('https://h.example/r'));
  });
});
