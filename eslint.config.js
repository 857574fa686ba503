// @ts-check
// Lint: typescript-eslint's strict and stylistic sets, plus the type-aware rules that catch
// what hurts a server most (a promise nobody awaits or catches). Formatting is Prettier's job
// (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'test-output/**', 'bench/results/**', 'data/**', 'agent/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...tseslint.configs.stylistic,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    rules: {
      // strict TS with noUncheckedIndexedAccess: `!` after a check the compiler cannot follow is the honest form.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `() => {}` is how a socket's ignored 'error' event and no-op callbacks are written.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // Slipway matches terminal control characters on purpose (printable names, escape handling).
      'no-control-regex': 'off',
      // Records serve as string maps (environment variables, headers): deleting a key is how a variable is unset.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  {
    // The few plain JavaScript files are Node scripts (the bin launcher, doc generators, this file).
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
