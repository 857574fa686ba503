/**
 * docs/errors.md, written from the error registry (error-codes.ts), so the
 * page cannot drift from the codes the server answers with. `npm run
 * docs:errors` writes it; test/unit/core-error-codes.test.ts fails when the
 * file is not what this renders.
 */
import { ERROR_AREAS, WEB_ERROR_CODES, type ErrorCodeInfo } from './error-codes.js';

/** A table cell: one line, no column breaks, `<id>` shown rather than taken for HTML. */
const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;');

function statusOf(info: ErrorCodeInfo): string {
  return [info.status, ...(info.alsoStatus ?? [])].join(', ');
}

export function renderErrorsDoc(): string {
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from server/core/error-codes.ts by `npm run docs:errors`; edit the registry, not this file. -->',
    '',
    'Every error the server answers with (HTTP API, refused WebSocket upgrades,',
    "the port proxy's JSON answers) has the same body:",
    '',
    '```json',
    '{"code": "SLIPWAY_<AREA>_<WHAT>", "message": "what happened and what to do", "detail": {"optional": "facts"}}',
    '```',
    '',
    'Match on `code`, never on `message`. Codes are stable: they are never',
    'renamed or reused, and a retired one stays listed. The status is the one the',
    'API answers with; where a code has two, the meaning column says which answer',
    'uses which.',
    '',
  ];
  for (const area of Object.values(ERROR_AREAS)) {
    lines.push(`## ${area.title}`, '', '| code | status | what it means | what you can do |', '|---|---|---|---|');
    for (const [code, info] of Object.entries(area.codes) as [string, ErrorCodeInfo][]) {
      lines.push(`| \`${code}\` | ${statusOf(info)} | ${cell(info.summary)} | ${cell(info.fix)} |`);
    }
    lines.push('');
  }
  lines.push(
    '## Made by the web UI',
    '',
    'The server never sends these: the UI shows them when an answer is not in the',
    'shape above, or when no answer comes.',
    '',
    '| code | what it means | what you can do |',
    '|---|---|---|',
  );
  for (const [code, info] of Object.entries(WEB_ERROR_CODES)) {
    lines.push(`| \`${code}\` | ${cell(info.summary)} | ${cell(info.fix)} |`);
  }
  lines.push('');
  return lines.join('\n');
}
