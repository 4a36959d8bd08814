// @ts-check
// ESLint over the TypeScript sources (src, test, bench, demo), type-aware: typescript-eslint's strict and
// stylistic type-checked sets, with eslint-config-prettier last so no rule argues with Prettier's layout.
// Every option set below says why; a disable comment in the code says why too.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.demo/', 'bench/results/', 'scripts/', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits and reports: not floating.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // Counts, sizes, ports and line numbers in messages read fine as numbers; other non-strings still need a decision.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(event) => emit(event)` and `return callback(error)` in a void function are plain idioms, not confusion.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // It turns `x as T` into `x!`, which strict's no-non-null-assertion forbids: the stricter rule wins.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // A cleanup hook registered before the value it cleans up reads a `let`: as a const it would hit the TDZ when setup throws.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // T[] for simple types, Array<...> for object and union types, as most of the code already wrote it.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
    },
  },
  prettier,
);
