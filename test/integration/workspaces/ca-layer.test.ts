/**
 * SLIPWAY_EXTRA_CA_CERTS baked into a derived image layer once per image and
 * bundle (issue 17 item 3), on a real engine: a private CA made here signs an
 * HTTPS server run inside the workspace, and node, python, git, curl and java
 * in the workspace all trust it. The layer is built by the first open only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let slipway: TestServer;
const dir = mkdtempSync(path.join(tmpdir(), 'slipway-ca-'));
const layers = new Set<string>();

/** A private CA and a localhost server certificate it signs. */
function makeCa(): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Slipway Test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.crt');
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return { ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key') };
}

const { ca, cert, key } = makeCa();

beforeAll(async () => {
  writeFileSync(path.join(dir, 'bundle.pem'), ca);
  git = await startGitServer();
  slipway = await startSlipway({ SLIPWAY_EXTRA_CA_CERTS: path.join(dir, 'bundle.pem'), SLIPWAY_DEFAULT_IMAGE: 'slipway/workspace-full' });
});

afterAll(async () => {
  await slipway?.close();
  for (const tag of layers) await slipway?.app.services.runtime.removeImage(tag).catch(() => {});
  await git?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(name: string): Promise<{ workspace: any; log: string }> {
  const { url } = await git.createRepo(name, {
    'server.crt': cert,
    'server.key': key,
    'Hello.java':
      'public class Hello { public static void main(String[] a) throws Exception { var c = (javax.net.ssl.HttpsURLConnection) new java.net.URL("https://localhost:8443/").openConnection(); System.out.println("java " + c.getResponseCode()); } }\n',
  });
  const created = await slipway.api('POST', '/api/workspaces', { contextUrl: url });
  expect(created.status, created.text).toBe(202);
  const workspace = await slipway.waitForStatus(created.body.id, ['running', 'failed'], undefined, 180_000);
  if (typeof workspace.image === 'string' && workspace.image.startsWith('slipway/ca-layer:')) layers.add(workspace.image);
  return { workspace, log: (await slipway.api('GET', `/api/workspaces/${workspace.id}/logs`)).text };
}

async function execIn(workspaceId: string, script: string): Promise<string> {
  const [container] = await slipway.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
  const result = await slipway.app.services.runtime.exec(container!.id, { cmd: ['bash', '-c', script] });
  return result.output;
}

describe('extra CA certificates in a derived layer', () => {
  it('the first open builds the layer; node, python, git, curl and java trust the CA', async () => {
    const { workspace, log } = await open('ca-first');
    expect(workspace.statusReason).toBeNull();
    expect(workspace.image).toMatch(/^slipway\/ca-layer:[0-9a-f]{20}$/);
    expect(log).toContain('Adding the extra CA certificates (SLIPWAY_EXTRA_CA_CERTS) to slipway/workspace-full');
    const out = await execIn(
      workspace.id,
      `cd /workspace/ca-first && (python3 -c 'import http.server, ssl
s = http.server.HTTPServer(("127.0.0.1", 8443), http.server.SimpleHTTPRequestHandler)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain("server.crt", "server.key")
s.socket = c.wrap_socket(s.socket, server_side=True); s.serve_forever()' >/dev/null 2>&1 &)
      for i in $(seq 50); do curl -s -o /dev/null https://localhost:8443/ && break; sleep 0.1; done
      echo "curl $(curl -s -o /dev/null -w '%{http_code}' https://localhost:8443/)"
      node -e 'require("https").get("https://localhost:8443/", (r) => console.log("node " + r.statusCode))'
      python3 -c 'import urllib.request; print("python", urllib.request.urlopen("https://localhost:8443/").status)'
      git ls-remote https://localhost:8443/nothing.git 2>&1 | grep -qi certificate && echo "git refused the certificate" || echo "git tls ok"
      java Hello.java 2>&1 | tail -1`,
    );
    expect(out).toContain('curl 200');
    expect(out).toContain('node 200');
    expect(out).toContain('python 200');
    expect(out).toContain('git tls ok');
    expect(out).toContain('java 200');
  }, 300_000);

  it('a second open reuses the layer and does not install the certificates again', async () => {
    const first = [...layers][0]!;
    const before = Math.floor(Date.now() / 1000);
    const { workspace, log } = await open('ca-second');
    expect(workspace.image).toBe(first);
    expect(log).not.toContain('Adding the extra CA certificates');
    // The per-start check found the bundle already trusted: nothing was installed in this container (the record is the layer's).
    expect(await execIn(workspace.id, 'cmp /.slipway/extra-ca.crt /.slipway/extra-ca.installed && echo same')).toBe('same\n');
    expect(Number(await execIn(workspace.id, 'stat -c %Y /.slipway/extra-ca.installed /etc/ssl/certs/ca-certificates.crt | sort -n | tail -1'))).toBeLessThan(
      before,
    );
  }, 120_000);
});
