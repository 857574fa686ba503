/**
 * Validates a parsed `.gitpod.yml` document against schema/gitpod.schema.json
 * and turns ajv's errors into format-neutral issues (a key path plus a
 * message), which gitpod.ts places on YAML lines.
 *
 * The schema is imported as JSON (an import attribute), so tsc copies it next
 * to the compiled code and both vitest (from server/) and `node dist/...`
 * load the same file without path guessing.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schema/gitpod.schema.json' with { type: 'json' };
import { closest, describeValue, formatPath, type PathSegment } from './positions.js';

export interface SchemaIssue {
  severity: 'error' | 'warning';
  /** Path of the offending value; for an unknown key, the path of the key itself. */
  path: PathSegment[];
  /** True when the issue is about a key (an unknown one), so it is placed on the key. */
  onKey: boolean;
  message: string;
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // Compiled once per process: ajv compiles the schema to code, which is slow-ish.
  compiled ??= new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true }).compile(schema);
  return compiled;
}

export const gitpodSchema: unknown = schema;

/** JSON pointer `/tasks/1/init` → `['tasks', 1, 'init']`, numbers where the data is an array. */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list (- item)',
  null: 'empty',
};

function expectedTypes(types: unknown): string {
  const list = (Array.isArray(types) ? types : String(types).split(',')).map(String).filter((t) => t !== 'null');
  const names = list.map((t) => TYPE_NAMES[t] ?? t);
  return names.length <= 1 ? (names[0] ?? 'empty') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

const TASK_KEYS = ['before', 'init', 'command', 'prebuild', 'openMode', 'openIn'];

function issueFor(err: ErrorObject, data: unknown): SchemaIssue {
  const path = pointerToPath(err.instancePath, data);
  const where = path.length === 0 ? 'the file' : `\`${formatPath(path)}\``;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const parentSchema = err.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parentSchema?.properties ?? {});
      const guess = closest(key, known);
      const at = path.length === 0 ? 'at the top level' : `in ${where}`;
      const hint =
        path.length === 0 && TASK_KEYS.includes(key)
          ? ` (task keys go in a list under \`tasks:\`, like \`tasks: [{${key}: ...}]\`)`
          : guess
            ? ` (did you mean \`${guess}\`?)`
            : '';
      return { severity: 'warning', path: [...path, key], onKey: true, message: `unknown key \`${key}\` ${at}; Slipway ignores it${hint}` };
    }
    case 'type': {
      // YAML reads `true`, `8080` or `null` unquoted as non-text; quoting is the fix.
      const types = String(params['type']).split(',');
      const numeric = typeof err.data === 'number' && (types.includes('integer') || types.includes('number'));
      const scalar = typeof err.data === 'number' || typeof err.data === 'boolean';
      const hint = types.includes('string') && scalar && !numeric ? '; put it in quotes to make it text' : '';
      return {
        severity: 'error',
        path,
        onKey: false,
        message:
          path.length === 0
            ? `the file must be a mapping of keys like \`image:\` and \`tasks:\`, got ${describeValue(err.data)}`
            : `${where} must be ${expectedTypes(params['type'])}, got ${describeValue(err.data)}${hint}`,
      };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).filter((v) => v !== null).map(String);
      return {
        severity: 'error',
        path,
        onKey: false,
        message: `${where} must be one of ${allowed.join(', ')}; got ${describeValue(err.data)}`,
      };
    }
    case 'required':
      return {
        severity: 'error',
        path,
        onKey: false,
        message: `${where} is missing the key \`${String(params['missingProperty'])}\``,
      };
    default:
      return { severity: 'error', path, onKey: false, message: `${where} ${err.message ?? 'is not valid'}` };
  }
}

/** Checks a `.gitpod.yml` value (already converted from YAML); returns one issue per problem. */
export function checkGitpodSchema(data: unknown): SchemaIssue[] {
  const validate = validator();
  if (validate(data)) return [];
  return (validate.errors ?? []).map((err) => issueFor(err, data));
}
