/**
 * No import circles in server/ (issue 19 item 4): a circle means two modules
 * cannot be read, tested or replaced apart, and ESM evaluates one of them
 * half-initialized. Type-only imports count.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, relativeImports, type ImportGraph } from '../../helpers/import-graph.js';

describe('import graph', () => {
  it('reads every form of relative import, type-only and inline ones too', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "import {\n  c,\n  type C,\n} from './c.js';",
      "export { d } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "let g: import('./g.js').G;",
      "import fastify from 'fastify';",
      "const s = 'from ./nothing';",
    ].join('\n');
    expect(relativeImports(text).sort()).toEqual(['../b/b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  });

  it('finds every circle, and none in a tree', () => {
    const graph: ImportGraph = new Map([
      ['a.ts', ['b.ts', 'x.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['x.ts', ['y.ts']],
      ['y.ts', ['x.ts']],
      ['z.ts', ['z.ts']],
      ['leaf.ts', []],
    ]);
    expect(importCycles(graph)).toEqual(
      expect.arrayContaining([
        ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
        ['x.ts', 'y.ts', 'x.ts'],
        ['z.ts', 'z.ts'],
      ]),
    );
    expect(importCycles(graph)).toHaveLength(3);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('server/ has no import circles', () => {
    const graph = importGraph(path.resolve(import.meta.dirname, '../../../server'));
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('app.ts')).toContain('http/server.ts');
    const printed = importCycles(graph).map((cycle) => cycle.join(' → '));
    expect(printed, `import circles in server/:\n${printed.join('\n')}`).toEqual([]);
  });
});
