import { describe, expect, it } from 'vitest';
import { MAX_CONTROL_FRAME_BYTES, MAX_INPUT_FRAME_BYTES, parseClientFrame } from '../../../server/terminals/frames.js';

const text = (s: string) => Buffer.from(s, 'utf8');

describe('parseClientFrame', () => {
  const cases: [string, Buffer, boolean, unknown][] = [
    // Binary frames are input, whatever the bytes.
    ['binary keystrokes', text('ls\r'), true, { kind: 'input', data: text('ls\r') }],
    ['binary garbage is still input', Buffer.from([0xff, 0x00, 0xfe]), true, { kind: 'input', data: Buffer.from([0xff, 0x00, 0xfe]) }],
    ['empty binary frame', Buffer.alloc(0), true, { kind: 'input', data: Buffer.alloc(0) }],
    ['resize', text('{"type":"resize","cols":120,"rows":40}'), false, { kind: 'resize', cols: 120, rows: 40 }],
    ['resize with an extra field', text('{"type":"resize","cols":1,"rows":1000,"x":[1]}'), false, { kind: 'resize', cols: 1, rows: 1000 }],
    // The crash of issue 12: `null` is valid JSON but not an object.
    ['null', text('null'), false, { kind: 'invalid', code: 1007 }],
    ['a number', text('42'), false, { kind: 'invalid', code: 1007 }],
    ['a huge number', text('1e400'), false, { kind: 'invalid', code: 1007 }],
    ['a string', text('"resize"'), false, { kind: 'invalid', code: 1007 }],
    ['true', text('true'), false, { kind: 'invalid', code: 1007 }],
    ['an array', text('[{"type":"resize","cols":80,"rows":24}]'), false, { kind: 'invalid', code: 1007 }],
    ['not JSON', text('{type:resize}'), false, { kind: 'invalid', code: 1007 }],
    ['empty text frame', text(''), false, { kind: 'invalid', code: 1007 }],
    ['invalid UTF-8 as text', Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), false, { kind: 'invalid', code: 1007 }],
    ['no type', text('{"cols":80,"rows":24}'), false, { kind: 'invalid', code: 1007 }],
    ['type not a string', text('{"type":1}'), false, { kind: 'invalid', code: 1007 }],
    ['type null', text('{"type":null}'), false, { kind: 'invalid', code: 1007 }],
    ['unknown type', text('{"type":"exec","cmd":"id"}'), false, { kind: 'invalid', code: 1008 }],
    ['the removed text input frame', text('{"type":"input","data":"ls\\r"}'), false, { kind: 'invalid', code: 1008 }],
    ['type inherited through __proto__', text('{"__proto__":{"type":"resize","cols":80,"rows":24}}'), false, { kind: 'invalid', code: 1007 }],
    ['resize cols as string', text('{"type":"resize","cols":"80","rows":24}'), false, { kind: 'invalid', code: 1007 }],
    ['resize rows missing', text('{"type":"resize","cols":80}'), false, { kind: 'invalid', code: 1007 }],
    ['resize fractional', text('{"type":"resize","cols":80.5,"rows":24}'), false, { kind: 'invalid', code: 1007 }],
    ['resize zero', text('{"type":"resize","cols":0,"rows":24}'), false, { kind: 'invalid', code: 1007 }],
    ['resize negative', text('{"type":"resize","cols":80,"rows":-1}'), false, { kind: 'invalid', code: 1007 }],
    ['resize too large', text('{"type":"resize","cols":1001,"rows":24}'), false, { kind: 'invalid', code: 1007 }],
    ['resize huge', text('{"type":"resize","cols":1e308,"rows":9007199254740993}'), false, { kind: 'invalid', code: 1007 }],
    ['resize nested objects', text('{"type":"resize","cols":{"a":{"b":80}},"rows":[24]}'), false, { kind: 'invalid', code: 1007 }],
    ['deeply nested', text('['.repeat(5000) + ']'.repeat(5000)), false, { kind: 'invalid', code: 1007 }],
    [
      'control frame over the cap',
      text(JSON.stringify({ type: 'resize', cols: 80, rows: 24, pad: 'x'.repeat(MAX_CONTROL_FRAME_BYTES) })),
      false,
      { kind: 'invalid', code: 1009 },
    ],
    ['input frame over the cap', Buffer.alloc(MAX_INPUT_FRAME_BYTES + 1), true, { kind: 'invalid', code: 1009 }],
  ];

  it.each(cases)('%s', (_name, data, isBinary, expected) => {
    expect(parseClientFrame(data, isBinary)).toMatchObject(expected as object);
  });

  it('never throws and refuses with a short reason (a close reason must fit in 123 bytes)', () => {
    let seed = 12;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      const frame = parseClientFrame(bytes, false);
      expect(frame.kind).toBe('invalid');
      if (frame.kind === 'invalid') expect(Buffer.byteLength(frame.reason)).toBeLessThanOrEqual(123);
    }
  });
});
