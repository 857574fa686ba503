/** A real WebSocket terminal client (the `ws` package), as a browser would use the API. */
import WebSocket from 'ws';

export interface TerminalClient {
  output(): string;
  send(text: string): void;
  resize(cols: number, rows: number): void;
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  exitCode(): number | null | undefined;
  close(): Promise<void>;
  socket: WebSocket;
}

/** Removes ANSI escape sequences, so assertions read like the screen. */
export function plain(text: string): string {
  return text
    .replace(/\u001b\][^\u0007]*\u0007/g, '')
    .replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '')
    .replace(/\r/g, '');
}

export async function connectTerminal(
  baseUrl: string,
  workspaceId: string,
  terminalId: string,
  auth: { token?: string; cookie?: string },
): Promise<TerminalClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/workspaces/${workspaceId}/terminals/${terminalId}`;
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  const socket = new WebSocket(url, { headers });
  let text = '';
  let exit: number | null | undefined;
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) text += data.toString('utf8');
    else {
      const message = JSON.parse(data.toString('utf8')) as { type: string; code?: number | null };
      if (message.type === 'exit') exit = message.code ?? null;
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`WebSocket refused with ${res.statusCode}`), { status: res.statusCode })));
  });
  return {
    socket,
    output: () => text,
    send: (input) => socket.send(Buffer.from(input), { binary: true }),
    resize: (cols, rows) => socket.send(JSON.stringify({ type: 'resize', cols, rows })),
    exitCode: () => exit,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const screen = plain(text);
        if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`terminal output did not show ${pattern} in time; it shows:\n${plain(text).slice(-3000)}`);
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}
