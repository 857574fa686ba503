import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseDefinition } from '../../../server/definition/index.js';

describe('formatDiagnostic: an error as a failed workspace shows it', () => {
  it('names file:line:col and quotes the offending line with a caret under the column', () => {
    const result = parseDefinition('.gitpod.yml', 'tasks:\n  - command: echo hi\nports:\n  - port: 70000\n');
    expect(result.errors.length).toBeGreaterThan(0);
    const error = result.errors[0]!;
    const text = formatDiagnostic(error, result);
    const [head, quoted, caret] = text.split('\n');
    expect(head).toBe(`.gitpod.yml:${error.line}:${error.column}: ${error.message}`);
    expect(quoted).toBe(`  ${error.line} |   - port: 70000`);
    expect(caret!.indexOf('^') - caret!.indexOf('|') - 2).toBe(error.column - 1);
  });

  it('is the bare head when the text is unknown', () => {
    expect(formatDiagnostic({ message: 'bad', path: '', line: 2, column: 3, file: 'x.yml' })).toBe('x.yml:2:3: bad');
  });
});
