import { describe, expect, it } from 'vitest';
import { decodeAddress, parseListeningPorts } from '../../../server/ports/proc-net.js';

// Captured from a workspace container: python http.server on 0.0.0.0:8000, a
// loopback-only server on 127.0.0.1:8002, an established connection, and an
// IPv6 wildcard listener on 5173 plus an IPv6 loopback one on 9221.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 33333        0 123456 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 00000000 33333        0 123457 1 0000000000000000 100 0 0 10 0
   2: 0200140A:1F40 0100140A:D2F0 01 00000000:00000000 00:00000000 00000000 33333        0 123458 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1435 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 33333        0 223456 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:2405 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 33333        0 223457 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F43 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 33333        0 223458 1 0000000000000000 100 0 0 10 0
`;

describe('decodeAddress', () => {
  it('decodes IPv4 in host byte order', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('0200140A')).toBe('10.20.0.2');
  });
  it('decodes IPv6 wildcard, loopback, mapped and full addresses', () => {
    expect(decodeAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });
});

describe('parseListeningPorts', () => {
  it('lists LISTEN sockets only, merged across tcp and tcp6, sorted', () => {
    expect(parseListeningPorts(TCP + TCP6)).toEqual([
      { port: 5173, addresses: ['::'], loopbackOnly: false },
      { port: 8000, addresses: ['0.0.0.0'], loopbackOnly: false },
      { port: 8002, addresses: ['127.0.0.1'], loopbackOnly: true },
      { port: 8003, addresses: ['::ffff:127.0.0.1'], loopbackOnly: true },
      { port: 9221, addresses: ['::1'], loopbackOnly: true },
    ]);
  });
  it('merges a port that listens on both families', () => {
    const both =
      TCP.split('\n').slice(0, 2).join('\n') +
      '\n' +
      '   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n';
    expect(parseListeningPorts(both)).toEqual([{ port: 8000, addresses: ['0.0.0.0', '::'], loopbackOnly: false }]);
  });
  it("leaves out Docker's embedded DNS listener on 127.0.0.11, which is the engine's", () => {
    const dns =
      '   0: 0B00007F:A2F3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 33333 0 2 1\n';
    expect(parseListeningPorts(dns)).toEqual([{ port: 8080, addresses: ['127.0.0.1'], loopbackOnly: true }]);
  });

  it('ignores headers, garbage and empty input', () => {
    expect(parseListeningPorts('')).toEqual([]);
    expect(parseListeningPorts('cat: /proc/net/tcp6: No such file or directory\nnonsense 1: x\n')).toEqual([]);
  });
});
