/**
 * A followed text log (`?follow=1`) shown live, ANSI colours kept, with the
 * startup steps ("▶ title" … "✓ name (1.23s)") listed with their durations.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, streamText } from './api.js';
import { createAnsiParser, stripAnsi, type AnsiLine } from './ansi.js';
import { duration } from './ui.js';

interface Step {
  title: string;
  name: string | null;
  startedAt: number;
  ms: number | null;
  failed: boolean;
}

/** Reads steps from the log lines, so steps show up live even before the API has timings. */
function stepsOf(text: string, steps: Step[], now: number) {
  for (const raw of text.split('\n')) {
    const line = stripAnsi(raw);
    const start = /^▶ (.+)$/.exec(line);
    if (start) {
      steps.push({ title: start[1]!, name: null, startedAt: now, ms: null, failed: false });
      continue;
    }
    const done = /^\s+✓ (\S+) \((\d+(?:\.\d+)?)s\)/.exec(line);
    const open = [...steps].reverse().find((s) => s.ms === null);
    if (done && open) {
      open.name = done[1]!;
      open.ms = Number(done[2]) * 1000;
    } else if (/^✗ /.test(line) && open) open.failed = true;
  }
}

export function LogView(props: { url: string; live: boolean; title?: string; onEnd?: () => void }) {
  const [lines, setLines] = useState<AnsiLine[]>([]);
  const [steps, setSteps] = useState<Step[]>([]);
  const [state, setState] = useState<'loading' | 'streaming' | 'ended' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const onEnd = useRef(props.onEnd);
  onEnd.current = props.onEnd;

  useEffect(() => {
    const abort = new AbortController();
    const parser = createAnsiParser();
    const found: Step[] = [];
    let partial = '';
    let frame = 0;
    // Many small chunks arrive during a build: render at most once per frame.
    const flush = () => {
      frame = 0;
      setLines(parser.lines.map((l) => ({ segments: l.segments.map((s) => ({ ...s })) })));
      setSteps(found.map((s) => ({ ...s })));
      setNow(Date.now());
    };
    setLines([]);
    setSteps([]);
    setState('loading');
    setError(null);
    streamText(
      props.url + (props.live ? (props.url.includes('?') ? '&' : '?') + 'follow=1' : ''),
      (text) => {
        setState('streaming');
        parser.write(text);
        const whole = partial + text;
        const cut = whole.lastIndexOf('\n');
        stepsOf(whole.slice(0, cut + 1), found, Date.now());
        partial = whole.slice(cut + 1);
        if (!frame) frame = requestAnimationFrame(flush);
      },
      abort.signal,
    )
      .then(() => {
        if (abort.signal.aborted) return;
        flush();
        setState('ended');
        onEnd.current?.();
      })
      .catch((e) => {
        if (abort.signal.aborted) return;
        setError(errorMessage(e));
        setState('error');
      });
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, [props.url, props.live]);

  // A ticking clock for the running step only.
  useEffect(() => {
    if (state !== 'streaming') return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [state]);

  useLayoutEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  const empty = lines.length <= 1 && (lines[0]?.segments.length ?? 0) === 0;
  return (
    <div class="log" data-log-state={state}>
      {steps.length > 0 ? (
        <ol class="steps" data-testid="steps">
          {steps.map((s, i) => (
            <li key={i} class={s.failed ? 'step failed' : s.ms === null ? 'step running' : 'step done'}>
              <span class="step-mark" aria-hidden="true">
                {s.failed ? '✗' : s.ms === null ? <span class="spinner" /> : '✓'}
              </span>
              <span class="step-title">{s.title}</span>
              <span class="step-time">{s.ms !== null ? duration(s.ms) : s.failed ? '' : duration(Math.max(0, now - s.startedAt))}</span>
            </li>
          ))}
        </ol>
      ) : null}
      <pre
        class="log-text"
        ref={box}
        data-testid="log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
        }}
      >
        {empty && state !== 'error' ? <span class="muted">{state === 'loading' ? 'Connecting to the log…' : 'Waiting for output…'}</span> : null}
        {lines.map((line, i) => (
          <div key={i} class="log-line">
            {line.segments.map((s, j) =>
              s.cls ? (
                <span key={j} class={s.cls}>
                  {s.text}
                </span>
              ) : (
                s.text
              ),
            )}
            {line.segments.length === 0 ? '\u200b' : null}
          </div>
        ))}
      </pre>
      {error ? <div class="error">Could not read the log: {error}</div> : null}
      {state === 'streaming' && props.live ? (
        <div class="muted small live">
          <span class="pulse" /> live
        </div>
      ) : null}
    </div>
  );
}
