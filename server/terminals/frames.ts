/**
 * The client→server half of the terminal wire protocol (DESIGN §6), as a
 * pure function. Frames come from the network and are hostile: anything
 * that is not exactly one of the messages below is refused with the
 * WebSocket close code that says why, and the caller closes that one
 * socket. Nothing here throws.
 *
 * - binary frame: raw bytes for the TTY (keystrokes, pastes);
 * - text frame: a JSON object with a known `type`; today only
 *   `{"type":"resize","cols":<int>,"rows":<int>}` (extra fields ignored).
 */

/** Largest text (control) frame: a resize is ~40 bytes; 64 KiB bounds JSON.parse work. */
export const MAX_CONTROL_FRAME_BYTES = 64 * 1024;
/** Largest binary (input) frame: a big paste arrives as one frame. Also the ws maxPayload. */
export const MAX_INPUT_FRAME_BYTES = 1024 * 1024;
/** Terminal sizes outside this range are a client bug or an attack, never a screen. */
export const MAX_TERMINAL_DIMENSION = 1000;

/** RFC 6455 close codes used for refused frames. */
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;

export type ClientFrame =
  | { kind: 'input'; data: Buffer }
  | { kind: 'resize'; cols: number; rows: number }
  | { kind: 'invalid'; code: typeof CLOSE_INVALID_DATA | typeof CLOSE_POLICY | typeof CLOSE_TOO_BIG; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

const invalid = (code: 1007 | 1008 | 1009, reason: string): ClientFrame => ({ kind: 'invalid', code, reason });

const isDimension = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TERMINAL_DIMENSION;

export function parseClientFrame(data: Buffer, isBinary: boolean): ClientFrame {
  if (isBinary) {
    if (data.length > MAX_INPUT_FRAME_BYTES) return invalid(CLOSE_TOO_BIG, `input frame over ${MAX_INPUT_FRAME_BYTES} bytes`);
    return { kind: 'input', data };
  }
  if (data.length > MAX_CONTROL_FRAME_BYTES) return invalid(CLOSE_TOO_BIG, `control frame over ${MAX_CONTROL_FRAME_BYTES} bytes`);
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return invalid(CLOSE_INVALID_DATA, 'text frame is not UTF-8');
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return invalid(CLOSE_INVALID_DATA, 'text frame is not JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return invalid(CLOSE_INVALID_DATA, 'a control frame is a JSON object');
  }
  // Own properties only: `{"__proto__": ...}` or inherited names never count.
  const field = (name: string): unknown => (Object.prototype.hasOwnProperty.call(message, name) ? (message as Record<string, unknown>)[name] : undefined);
  const type = field('type');
  if (type === 'resize') {
    const cols = field('cols');
    const rows = field('rows');
    if (!isDimension(cols) || !isDimension(rows)) {
      return invalid(CLOSE_INVALID_DATA, `resize needs integer cols and rows in 1..${MAX_TERMINAL_DIMENSION}`);
    }
    return { kind: 'resize', cols, rows };
  }
  if (typeof type !== 'string') return invalid(CLOSE_INVALID_DATA, 'a control frame needs a string "type"');
  return invalid(CLOSE_POLICY, 'unknown control frame type');
}
