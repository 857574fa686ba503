# Test servers run inside the workspace (python3 is in the base image, no pip):
# HTTP on 0.0.0.0:8000 (echoes the request, streams /big), a WebSocket echo
# on 0.0.0.0:8001 (handshake and framing by hand), and HTTP on 127.0.0.1:8002
# only (reachable just through the loopback forwarder).
import base64, hashlib, http.server, json, socket, struct, threading, time

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *args):
        pass
    def do_GET(self):
        if self.headers.get('Upgrade', '').lower() == 'websocket':
            # Hot-reload style: the WebSocket on the same port as the pages.
            self.close_connection = True
            return websocket_frames(self.connection, self.rfile, self.headers['Sec-WebSocket-Key'].encode())
        if self.path.startswith('/big'):
            size = 200 * 1024 * 1024
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(size))
            self.end_headers()
            chunk = b'x' * 262144
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
            return
        if self.path.startswith('/stream'):
            # A server-sent-events-like response: the first line must reach the browser long before the end.
            self.send_response(200)
            self.send_header('Content-Type', 'text/event-stream')
            self.send_header('Connection', 'close')
            self.end_headers()
            self.wfile.write(b'data: first\n\n')
            self.wfile.flush()
            time.sleep(2)
            self.wfile.write(b'data: second\n\n')
            self.close_connection = True
            return
        page = PAGES.get(self.path.split('?')[0])
        if page:
            # Pages for the browser tests (a sandboxed page's own loads, what a hostile page can do) and app-set headers.
            content_type, body, extra = page
            self.send_response(200)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.startswith('/redirect'):
            self.send_response(302)
            self.send_header('Location', '/landed')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        body = json.dumps({'port': self.server.server_address[1], 'path': self.path, 'headers': {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        data = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

# A hostile page: with the viewer's session it would mint an API token, read cookies, register a service worker.
ATTACK = b"""<!doctype html><title>attack</title><body><script>
(async () => {
  const out = {};
  const tries = {
    plain: { method: 'POST' },
    include: { method: 'POST', credentials: 'include' },
    json: { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{"name":"stolen"}' },
  };
  for (const [name, init] of Object.entries(tries)) {
    try {
      const response = await fetch('/api/tokens', init);
      out[name] = response.status + ' ' + (await response.text());
    } catch (error) {
      out[name] = 'blocked: ' + error;
    }
  }
  try { await navigator.serviceWorker.register('sw.js'); out.serviceWorker = 'registered'; } catch (error) { out.serviceWorker = 'refused: ' + error; }
  try { out.cookie = document.cookie; } catch (error) { out.cookie = 'refused: ' + error.name; }
  try { localStorage.setItem('x', '1'); out.storage = 'ok'; } catch (error) { out.storage = 'refused: ' + error.name; }
  document.body.textContent = JSON.stringify(out);
  document.title = 'done';
})();
</script></body>"""

PAGES = {
    '/attack': ('text/html; charset=utf-8', ATTACK, []),
    # A page whose script is a relative URL: loads only if the sandboxed page's own requests are let in.
    '/page.html': ('text/html; charset=utf-8', b'<!doctype html><title>page</title><h1>page</h1><script src="sub.js"></script>', []),
    '/sub.js': ('text/javascript', b"document.title = 'sub ran';", []),
    '/own-headers': ('text/html; charset=utf-8', b'<!doctype html><p>own headers</p>', [
        ('Content-Security-Policy', "img-src 'self'"),
        ('Service-Worker-Allowed', '/'),
        ('Set-Cookie', 'slipway_session=from-the-app; Path=/'),
        ('Set-Cookie', 'app=1; Path=/'),
    ]),
}

def websocket(conn):
    request = b''
    while b'\r\n\r\n' not in request:
        data = conn.recv(4096)
        if not data:
            return
        request += data
    key = [l.split(b':', 1)[1].strip() for l in request.split(b'\r\n') if l.lower().startswith(b'sec-websocket-key:')][0]
    websocket_frames(conn, conn.makefile('rb'), key)

def websocket_frames(conn, f, key):
    accept = base64.b64encode(hashlib.sha1(key + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())
    conn.sendall(b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + b'\r\n\r\n')
    while True:
        head = f.read(2)
        if len(head) < 2:
            return
        op, n = head[0] & 0x0f, head[1] & 0x7f
        if n == 126:
            n = struct.unpack('>H', f.read(2))[0]
        elif n == 127:
            n = struct.unpack('>Q', f.read(8))[0]
        mask = f.read(4) if head[1] & 0x80 else b'\0\0\0\0'
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(f.read(n)))
        if op == 8:
            conn.sendall(b'\x88\x00')
            return
        if op in (1, 2):
            length = bytes([n]) if n < 126 else (b'\x7e' + struct.pack('>H', n) if n < 65536 else b'\x7f' + struct.pack('>Q', n))
            conn.sendall(bytes([0x80 | op]) + length + payload)

def serve_websocket():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('0.0.0.0', 8001))
    server.listen(16)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=websocket, args=(conn,), daemon=True).start()

threading.Thread(target=http.server.ThreadingHTTPServer(('127.0.0.1', 8002), Handler).serve_forever, daemon=True).start()
threading.Thread(target=serve_websocket, daemon=True).start()
http.server.ThreadingHTTPServer(('0.0.0.0', 8000), Handler).serve_forever()
