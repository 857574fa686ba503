// Writes docs/errors.md from the error registry (server/core/error-codes.ts);
// `npm run docs:errors` compiles the registry first, since node runs no TypeScript.
import { writeFileSync } from 'node:fs';

const { renderErrorsDoc } = await import(new URL('../dist/errors-doc/error-docs.js', import.meta.url).href);
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
console.log('docs/errors.md written from server/core/error-codes.ts');
