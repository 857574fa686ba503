/** Small shared pieces: status badges, buttons that show their work, errors, polling. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from './api.js';

const TONE: Record<string, string> = {
  running: 'ok',
  ready: 'ok',
  pending: 'busy',
  queued: 'busy',
  building: 'busy',
  starting: 'busy',
  stopping: 'busy',
  stopped: 'idle',
  canceled: 'idle',
  exited: 'idle',
  failed: 'bad',
};

/** `still`: a past phase (history) gets a dot, not a spinner: nothing is happening there. */
/** `label`/`bad`: a phase that needs more words, e.g. running with every task failed, shown red rather than green. */
export function Status({ value, still, label, bad }: { value: string | null | undefined; still?: boolean; label?: string; bad?: boolean }) {
  const v = value ?? 'unknown';
  const tone = bad ? 'bad' : (TONE[v] ?? 'idle');
  return (
    <span class={`status status-${tone}`} data-status={v}>
      {tone === 'busy' && !still ? <span class="spinner" aria-hidden="true" /> : <span class="dot" aria-hidden="true" />}
      {label ?? v}
    </span>
  );
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {errorMessage(error)}
    </div>
  );
}

/**
 * A button for a long action: disabled and labelled with `busyLabel` while it
 * runs, the action's error shown through `onError`. Its width is kept, so
 * nothing moves when the label changes.
 */
export function ActionButton(props: {
  onClick: () => Promise<unknown>;
  children: ComponentChildren;
  busyLabel?: string;
  kind?: 'primary' | 'danger' | 'plain';
  small?: boolean;
  disabled?: boolean;
  confirm?: string;
  onError?: (error: unknown) => void;
  title?: string;
}) {
  const [busy, setBusy] = useState(false);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const click = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    try {
      await props.onClick();
    } catch (error) {
      props.onError?.(error);
    } finally {
      if (mounted.current) setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class={`btn btn-${props.kind ?? 'plain'}${props.small ? ' btn-small' : ''}`}
      disabled={busy || props.disabled}
      onClick={click}
      title={props.title}
      aria-busy={busy}
    >
      {busy ? <span class="spinner" aria-hidden="true" /> : null}
      {busy ? (props.busyLabel ?? props.children) : props.children}
    </button>
  );
}

/** Copies text; over plain http (no Clipboard API outside secure contexts) through a selected textarea. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const focused = document.activeElement as HTMLElement | null;
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
    focused?.focus();
  }
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await copyText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class="btn btn-plain btn-small copy" onClick={copy}>
      {copied ? 'Copied' : label}
    </button>
  );
}

export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

export function duration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 8) : '—');

/**
 * Loads `load()` now and every `intervalMs` (paused while the tab is hidden);
 * keeps the last good value on a failed refresh so the page does not flicker.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          const value = await load();
          if (stopped) return;
          setData(value);
          setError(null);
        } catch (e) {
          if (stopped) return;
          setError(e);
        }
      }
      if (!stopped) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);
  return { data, error, setData, refresh: () => setTick((t) => t + 1) };
}

export function Section(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={props.id}>
      <header class="card-head">
        <h2>{props.title}</h2>
        {props.actions ? <div class="card-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}
