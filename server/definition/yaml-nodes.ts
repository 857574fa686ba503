/**
 * Finding the YAML node behind a key path, so that a problem found in the
 * plain JS value (by the schema or by our own checks) is reported at the line
 * and column the user wrote it.
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Document } from 'yaml';
import { START, type PathSegment, type Position } from './positions.js';

type Locate = (offset: number) => Position;

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

/** A value node that shows nothing (`command:` with no value) is better reported at its key. */
function isEmptyScalar(node: unknown): boolean {
  if (!isScalar(node)) return false;
  return node.range ? node.range[0] === node.range[1] : true;
}

/**
 * Position of the value at `path` (or of its key when `onKey`). When the path
 * does not exist in the document (a merged or missing key), the position of
 * the deepest node that does exist is returned.
 */
export function positionOf(doc: Document, locate: Locate, path: readonly PathSegment[], onKey = false): Position {
  let cur: unknown = doc.contents;
  let keyNode: unknown;
  let best: number | undefined = rangeStart(cur);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isAlias(cur)) cur = cur.resolve(doc);
    let next: unknown;
    let nextKey: unknown;
    if (isMap(cur)) {
      const pair = cur.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) break;
      nextKey = pair.key;
      next = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      next = cur.items[seg];
      if (next === undefined) break;
    } else {
      break;
    }
    cur = next;
    keyNode = nextKey;
    const last = i === path.length - 1;
    const keyStart = rangeStart(keyNode);
    const valueStart = isEmptyScalar(cur) || cur === null ? undefined : rangeStart(cur);
    if (last && onKey) best = keyStart ?? valueStart ?? best;
    else best = valueStart ?? keyStart ?? best;
  }
  return best === undefined ? START : locate(best);
}

/** Position of the first alias (`*name`) in the document, for the alias-bomb error. */
export function firstAlias(doc: Document, locate: Locate): { position: Position; name: string } | null {
  let found: { position: Position; name: string } | null = null;
  visit(doc, {
    Alias(_key, node) {
      const start = rangeStart(node);
      found = { position: start === undefined ? START : locate(start), name: node.source };
      return visit.BREAK;
    },
  });
  return found;
}
