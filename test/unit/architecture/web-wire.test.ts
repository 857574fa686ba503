/**
 * The web UI takes the API's shapes from one server file, server/http/wire.ts
 * (issue 19 item 4): any other import of server code from web/ fails here.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph } from '../../helpers/import-graph.js';

describe('web → server imports', () => {
  it('web/src imports from server/ only http/wire.ts', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    // Rooted at the repository, so web's imports of server files stay in the graph.
    const graph = importGraph(root, { under: 'web/src' });
    expect(graph.size).toBeGreaterThan(5);
    const intoServer = [...graph].flatMap(([from, targets]) => targets.filter((t) => t.startsWith('server/')).map((to) => `${from} → ${to}`));
    expect(intoServer).toEqual(['web/src/api-types.ts → server/http/wire.ts']);
  });
});
