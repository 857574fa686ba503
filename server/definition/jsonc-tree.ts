/**
 * A thin typed layer over jsonc-parser's syntax tree, plus the checks both
 * devcontainer modules share. Reading from the tree (not from a plain value)
 * keeps each value's offset, so every diagnostic names its line and column.
 */
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { describeValue, formatPath, type DiagnosticSink, type PathSegment, type Position } from './positions.js';

export type JNode = Node;

export interface Member {
  key: string;
  keyNode: JNode;
  value: JNode | undefined;
}

/** Members of an object node in file order (duplicates included). */
export function members(node: JNode | undefined): Member[] {
  if (!node || node.type !== 'object') return [];
  const out: Member[] = [];
  for (const prop of node.children ?? []) {
    const [keyNode, value] = prop.children ?? [];
    if (keyNode && typeof keyNode.value === 'string') out.push({ key: keyNode.value, keyNode, value });
  }
  return out;
}

/** The value of `key` in an object node; the last one wins, as in JSON.parse. */
export function member(node: JNode | undefined, key: string): Member | undefined {
  const all = members(node).filter((m) => m.key === key);
  return all[all.length - 1];
}

export function valueOf(node: JNode | undefined): unknown {
  return node ? getNodeValue(node) : undefined;
}

const ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected `:` after the key',
  CommaExpected: 'expected `,` between entries',
  CloseBraceExpected: 'expected `}` to close the object',
  CloseBracketExpected: 'expected `]` to close the list',
  EndOfFileExpected: 'expected the end of the file after the closing `}`',
  InvalidCommentToken: 'unexpected comment',
  UnexpectedEndOfComment: 'a `/*` comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is not complete',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape in a string',
  InvalidCharacter: 'invalid character in a string',
};

export interface JsoncParse {
  root: JNode | undefined;
  errors: { message: string; offset: number }[];
}

/** Parses JSON with comments and trailing commas, as VS Code and the devcontainer CLI accept. */
export function parseJsonc(text: string): JsoncParse {
  const raw: ParseError[] = [];
  const root = parseTree(text, raw, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const errors = raw.map((e) => {
    const code = printParseErrorCode(e.error);
    const what = ERROR_TEXT[code] ?? code;
    const char = text.charAt(e.offset);
    // Naming the character helps most with the usual cause: text pasted before `{`, or an unquoted key.
    const shown = code === 'InvalidSymbol' && char.trim() !== '' ? `${what} \`${char}\`` : what;
    return { message: `JSON syntax error: ${shown}`, offset: e.offset };
  });
  return { root, errors };
}

export type JType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

const TYPE_TEXT: Record<JType, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** Reports a wrong type at the node; `what` overrides the generated "must be …" wording. */
export interface Checker {
  sink: DiagnosticSink;
  at: (offset: number) => Position;
}

export function isType(node: JNode | undefined, types: readonly JType[]): boolean {
  return node !== undefined && (types as readonly string[]).includes(node.type);
}

export function expectType(c: Checker, node: JNode | undefined, path: readonly PathSegment[], types: readonly JType[], what?: string): boolean {
  if (!node) return false;
  if (isType(node, types)) return true;
  const expected = what ?? types.map((t) => TYPE_TEXT[t]).join(' or ');
  c.sink.error(path, c.at(node.offset), `\`${formatPath(path)}\` must be ${expected}, got ${describeValue(valueOf(node))}`);
  return false;
}
