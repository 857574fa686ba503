/**
 * Keeps the live terminals of all workspaces, by id. Terminals live as long
 * as their exec session; a server restart loses the sessions (the processes
 * in the container keep running) and the workspace opens new ones.
 */
import type { TerminalStore } from '../store/terminals.js';
import type { Terminal, TerminalInfo, TerminalProcess } from './terminal.js';
import { createTerminal } from './terminal.js';

export function createTerminalManager(deps: { history?: TerminalStore } = {}) {
  const terminals = new Map<string, Terminal>();
  let shutDown = false;
  // Sessions of a previous server process did not survive it.
  deps.history?.markAllLost();
  const record = (work: (history: TerminalStore) => void) => {
    // After shutdown the store may be closed; the next start marks these lost.
    if (!shutDown && deps.history) work(deps.history);
  };

  return {
    add(
      meta: { id: string; workspaceId: string; name: string; kind: 'task' | 'shell'; taskIndex: number | null },
      process: TerminalProcess,
      hooks: { onActivity?: () => void; onExit?: (code: number | null) => void; preamble?: Buffer } = {},
    ): Terminal {
      const terminal = createTerminal(meta, process, {
        ...hooks,
        onExit: (code) => {
          record((h) => h.ended(meta.id, 'exited', code));
          hooks.onExit?.(code);
        },
      });
      terminals.set(meta.id, terminal);
      record((h) => h.opened(meta));
      return terminal;
    },
    get(id: string): Terminal | undefined {
      return terminals.get(id);
    },
    list(workspaceId: string): TerminalInfo[] {
      return [...terminals.values()].map((t) => t.info()).filter((t) => t.workspaceId === workspaceId);
    },
    /** Total clients attached to a workspace's terminals (an attached client counts as activity). */
    clientCount(workspaceId: string): number {
      let count = 0;
      for (const terminal of terminals.values()) if (terminal.info().workspaceId === workspaceId) count += terminal.clientCount();
      return count;
    },
    /** Server shutdown: end every session (the processes in the containers keep running). */
    shutdown(): void {
      for (const [id, terminal] of terminals) {
        record((h) => h.ended(id, 'lost', null));
        terminal.close('the server is shutting down');
      }
      terminals.clear();
      shutDown = true;
    },
    closeWorkspace(workspaceId: string, reason: string): void {
      for (const [id, terminal] of terminals) {
        if (terminal.info().workspaceId !== workspaceId) continue;
        terminal.close(reason);
        terminals.delete(id);
        record((h) => h.ended(id, 'lost', null));
      }
    },
  };
}

export type TerminalManager = ReturnType<typeof createTerminalManager>;
