/**
 * A raw TCP stream to 127.0.0.1:<port> inside a container, for services that
 * listen on loopback only (many dev servers do by default): the container's
 * network address cannot reach them, so a tiny forwarder runs as an exec
 * whose stdin/stdout are the connection. python3 when the image has it (it
 * half-closes properly), else bash's /dev/tcp. The forwarder says "OK" on
 * stderr once connected, so "nothing listening" is an error, not an empty
 * stream.
 */
import type Docker from 'dockerode';
import { Duplex } from 'node:stream';

const PYTHON = `import os,socket,sys,threading
p=int(sys.argv[1]);s=None
for fam,addr in ((socket.AF_INET,'127.0.0.1'),(socket.AF_INET6,'::1')):
  try:
    s=socket.socket(fam,socket.SOCK_STREAM);s.connect((addr,p));break
  except OSError:
    s=None
if s is None:
  sys.stderr.write('REFUSED\\n');sys.exit(7)
sys.stderr.write('OK\\n');sys.stderr.flush()
def up():
  while True:
    d=os.read(0,65536)
    if not d: break
    s.sendall(d)
  try: s.shutdown(socket.SHUT_WR)
  except OSError: pass
threading.Thread(target=up,daemon=True).start()
out=sys.stdout.buffer
while True:
  d=s.recv(65536)
  if not d: break
  out.write(d);out.flush()
`;

const SCRIPT = `P="$1"; PY="$2"
if command -v python3 >/dev/null 2>&1; then exec python3 -c "$PY" "$P"; fi
exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 || { echo REFUSED >&2; exit 7; }; echo OK >&2; cat <&3 & cat >&3; wait' "$P"`;

export async function openLoopbackStream(docker: Docker, containerId: string, port: number): Promise<Duplex> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ['sh', '-c', SCRIPT, 'slipway-forward', String(port), PYTHON],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const raw = (await exec.start({ hijack: true, stdin: true })) as Duplex;

  return await new Promise<Duplex>((resolve, reject) => {
    let connected = false;
    let stderr = '';
    let pending: Buffer = Buffer.alloc(0);
    const stream = new Duplex({
      read() {
        raw.resume();
      },
      write(chunk: Buffer, _encoding, callback) {
        raw.write(chunk, callback);
      },
      final(callback) {
        // Half-close: the exec's stdin ends, the forwarder shuts its write side.
        raw.end();
        callback();
      },
      destroy(error, callback) {
        raw.destroy();
        callback(error);
      },
    });

    const fail = (message: string) => {
      if (connected) return stream.destroy(new Error(message));
      raw.destroy();
      reject(Object.assign(new Error(message), { code: 'ECONNREFUSED' }));
    };

    // Docker multiplexes stdout and stderr: 8-byte header (stream type, 0,0,0, big-endian length).
    raw.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const type = pending[0];
        const payload = pending.subarray(8, 8 + size);
        pending = pending.subarray(8 + size);
        if (type === 1) {
          if (!stream.push(payload)) raw.pause();
        } else if (type === 2 && !connected) {
          stderr += payload.toString('utf8');
          if (stderr.startsWith('OK\n')) {
            connected = true;
            resolve(stream);
          } else if (stderr.includes('\n')) {
            fail(`nothing listens on 127.0.0.1:${port} in the container (${stderr.trim().slice(0, 200)})`);
          }
        }
      }
    });
    raw.on('end', () => {
      if (!connected) return fail(`the forwarder to port ${port} ended before connecting`);
      stream.push(null);
    });
    raw.on('error', (error: Error) => fail(error.message));
  });
}
