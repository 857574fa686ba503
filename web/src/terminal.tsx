/**
 * One terminal (DESIGN §6) in the page: xterm.js on a WebSocket. Binary
 * frames are raw bytes both ways; text frames are JSON (resize out, exit in).
 * The server replays the scrollback on every attach, so a (re)connect clears
 * the screen first and the replay redraws what was there.
 */
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import type { TerminalInfo } from './api-types.js';
import { copyText } from './ui.js';
import { currentTheme, onThemeChange, xtermTheme } from './theme.js';

export type Conn =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected' }
  | { state: 'disconnected'; retryInMs: number; reason: string }
  | { state: 'exited'; code: number | null }
  | { state: 'gone'; reason: string };

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const encoder = new TextEncoder();

function socketUrl(workspaceId: string, terminalId: string) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/workspaces/${workspaceId}/terminals/${terminalId}`;
}

/**
 * Why a socket closed, asked from the API: the browser hides the HTTP status
 * of a refused upgrade, and a terminal that ended must not be retried forever.
 */
async function diagnose(workspaceId: string, terminalId: string): Promise<Conn | null> {
  try {
    const list = await api<TerminalInfo[]>('GET', `/api/workspaces/${workspaceId}/terminals`);
    const info = list.find((t) => t.id === terminalId);
    if (!info) return { state: 'gone', reason: 'This terminal no longer exists (the workspace was restarted or stopped).' };
    if (info.state === 'exited') return { state: 'exited', code: info.exitCode };
    return null;
  } catch {
    return null; // server unreachable or workspace not running: keep retrying
  }
}

export function TerminalView(props: { workspaceId: string; terminalId: string; active: boolean; onNewTerminal: () => void; onState?: (conn: Conn) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const [conn, setConnState] = useState<Conn>({ state: 'connecting', attempt: 0 });
  const onState = useRef(props.onState);
  onState.current = props.onState;
  const active = useRef(props.active);
  active.current = props.active;

  useEffect(() => {
    let cleanup = () => {};
    let unmounted = false;
    import('./xterm.js').then(
      (xterm) => {
        if (!unmounted) cleanup = setup(xterm);
      },
      () => setConnState({ state: 'gone', reason: 'The terminal code could not be loaded; reload the page.' }),
    );
    return () => {
      unmounted = true;
      cleanup();
    };
  }, [props.workspaceId, props.terminalId]);

  /** Builds the terminal and its connection; returns how to take both down. */
  function setup({ Terminal, FitAddon, WebLinksAddon }: typeof import('./xterm.js')): () => void {
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: '"JetBrains Mono", "DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
      fontSize: 13.5,
      lineHeight: 1.15,
      scrollback: 10000,
      allowProposedApi: false,
      theme: xtermTheme(currentTheme()),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener')));
    term.open(host.current!);
    termRef.current = term;
    fitRef.current = fit;

    // As in a local terminal: Ctrl-C is SIGINT (xterm sends \x03); Ctrl-Shift-C / -V copy and paste.
    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC') {
        if (term.hasSelection()) void copyText(term.getSelection());
        return false;
      }
      // Returning false lets the browser fire its paste event, which xterm turns into input.
      if (event.code === 'KeyV') return false;
      return true;
    });

    let socket: WebSocket | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    let current: Conn = { state: 'connecting', attempt: 0 };
    const set = (next: Conn) => {
      current = next;
      setConnState(next);
      onState.current?.(next);
      // No input while nobody listens: keystrokes would be lost silently.
      term.options.disableStdin = next.state !== 'connected';
      term.options.cursorBlink = next.state === 'connected';
    };

    const sendSize = () => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
    };

    const connect = () => {
      if (disposed) return;
      set({ state: 'connecting', attempt });
      const ws = new WebSocket(socketUrl(props.workspaceId, props.terminalId));
      ws.binaryType = 'arraybuffer';
      socket = ws;
      let opened = false;
      let exited = false;
      ws.onopen = () => {
        opened = true;
        attempt = 0;
        // The replay that follows redraws the screen; without the reset it would be doubled.
        term.reset();
        set({ state: 'connected' });
        sendSize();
      };
      ws.onmessage = (event) => {
        if (typeof event.data === 'string') {
          try {
            const message = JSON.parse(event.data) as { type?: string; code?: number | null };
            if (message.type === 'exit') {
              exited = true;
              set({ state: 'exited', code: message.code ?? null });
            }
          } catch {
            // not a control message we know
          }
          return;
        }
        term.write(new Uint8Array(event.data as ArrayBuffer));
      };
      ws.onclose = async () => {
        if (socket !== ws || disposed) return;
        socket = null;
        if (exited) return;
        const known = await diagnose(props.workspaceId, props.terminalId);
        if (disposed) return;
        if (known) return set(known);
        const retryInMs = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
        attempt += 1;
        set({ state: 'disconnected', retryInMs, reason: opened ? 'Connection lost' : 'Cannot connect' });
        timer = setTimeout(connect, retryInMs);
      };
    };

    const input = term.onData((data) => {
      if (current.state === 'connected' && socket?.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
    });
    const binaryInput = term.onBinary((data) => {
      if (current.state !== 'connected' || socket?.readyState !== WebSocket.OPEN) return;
      socket.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff));
    });
    const resized = term.onResize(sendSize);

    // Follow the window (and the panel) size; fit only while visible, a hidden element has no size.
    const observer = new ResizeObserver(() => {
      if (host.current && host.current.offsetWidth > 0) fit.fit();
    });
    observer.observe(host.current!);
    if (host.current!.offsetWidth > 0) fit.fit();
    // Reconnect as soon as the browser is back online instead of waiting out the backoff.
    const online = () => {
      if (current.state === 'disconnected') {
        clearTimeout(timer);
        connect();
      }
    };
    window.addEventListener('online', online);
    // A theme switched while the terminal is open repaints it at once.
    const themed = onThemeChange((theme) => (term.options.theme = xtermTheme(theme)));
    connect();
    if (active.current) term.focus();

    return () => {
      disposed = true;
      clearTimeout(timer);
      window.removeEventListener('online', online);
      themed();
      observer.disconnect();
      input.dispose();
      binaryInput.dispose();
      resized.dispose();
      socket?.close();
      term.dispose();
      termRef.current = null;
      fitRef.current = null;
    };
  }

  useEffect(() => {
    if (!props.active) return;
    // A tab that becomes visible gets its real size and the keyboard.
    requestAnimationFrame(() => {
      if (host.current && host.current.offsetWidth > 0) fitRef.current?.fit();
      termRef.current?.focus();
    });
  }, [props.active]);

  return (
    <div class="term-wrap" style={{ display: props.active ? 'flex' : 'none' }} data-terminal={props.terminalId} data-conn={conn.state}>
      <div class="term-status" aria-live="polite">
        {conn.state === 'connecting' ? (
          <span class="warn">
            <span class="spinner" /> Connecting…
          </span>
        ) : null}
        {conn.state === 'disconnected' ? (
          <span class="warn">
            {conn.reason}; reconnecting in {Math.round(conn.retryInMs / 100) / 10}s. Input is paused.
          </span>
        ) : null}
        {conn.state === 'exited' ? (
          <span class="info">
            The process exited with code {conn.code ?? 'unknown'}.{' '}
            <button type="button" class="btn btn-small btn-primary" onClick={props.onNewTerminal}>
              Open a new terminal
            </button>
          </span>
        ) : null}
        {conn.state === 'gone' ? (
          <span class="info">
            {conn.reason}{' '}
            <button type="button" class="btn btn-small btn-primary" onClick={props.onNewTerminal}>
              Open a new terminal
            </button>
          </span>
        ) : null}
      </div>
      <div class="term" ref={host} />
    </div>
  );
}
