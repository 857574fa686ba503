/**
 * A followable text log: appended by long work (builds, starts, prebuilds),
 * kept on disk so it outlives the server process, and streamed live to every
 * follower until the work ends.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { printable } from './printable.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.js';

export interface LogFollower {
  onData(text: string): void;
  onEnd(): void;
}

export function createLogStream(file: string) {
  mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  const followers = new Set<LogFollower>();
  let ended = false;
  const stepStarted = new Map<string, number>();

  const log = {
    append(text: string): void {
      if (ended || text.length === 0) return;
      // Logs hold init output and names from repositories: 0600 (the mode applies when the file is made).
      appendFileSync(file, text, { mode: PRIVATE_FILE_MODE });
      for (const follower of followers) follower.onData(text);
    },
    line(text: string): void {
      log.append(`${text}\n`);
    },
    /** Marks the start of a named step; `stepDone` logs its duration and returns it in ms. */
    // Step titles and notes carry names (repository URL, branch, task name): shown, never interpreted.
    step(name: string, text?: string): void {
      stepStarted.set(name, Date.now());
      log.line(`\u001b[1m▶ ${printable(text ?? name)}\u001b[0m`);
    },
    stepDone(name: string, note?: string): number {
      const ms = Date.now() - (stepStarted.get(name) ?? Date.now());
      log.line(`  ✓ ${printable(name)} (${(ms / 1000).toFixed(2)}s)${note ? ` — ${printable(note)}` : ''}`);
      return ms;
    },
    read(): string {
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    /** Sends what is there, then live text until the log ends. Returns the unsubscribe. */
    follow(follower: LogFollower): () => void {
      const existing = log.read();
      if (existing) follower.onData(existing);
      if (ended) {
        follower.onEnd();
        return () => {};
      }
      followers.add(follower);
      return () => followers.delete(follower);
    },
    end(): void {
      if (ended) return;
      ended = true;
      for (const follower of followers) follower.onEnd();
      followers.clear();
    },
    get ended(): boolean {
      return ended;
    },
  };
  return log;
}

export type LogStream = ReturnType<typeof createLogStream>;

/** Logs by id under one folder; a log of work that ended before a restart reads as ended. */
export function createLogRegistry(dir: string) {
  const open = new Map<string, LogStream>();
  const fileFor = (id: string) => path.join(dir, `${id.replace(/[^a-zA-Z0-9_-]/g, '_')}.log`);
  return {
    /** The live log of work that is starting now (a fresh file section is appended to). */
    start(id: string): LogStream {
      const existing = open.get(id);
      if (existing && !existing.ended) return existing;
      const log = createLogStream(fileFor(id));
      open.set(id, log);
      return log;
    },
    /** The log to read or follow: the live one, or the finished file. */
    get(id: string): LogStream {
      const live = open.get(id);
      if (live) return live;
      const log = createLogStream(fileFor(id));
      log.end();
      return log;
    },
    remove(id: string): void {
      open.get(id)?.end();
      open.delete(id);
    },
  };
}

export type LogRegistry = ReturnType<typeof createLogRegistry>;
