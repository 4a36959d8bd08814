// @ts-check
// ESLint over src, test, bench and demo, type-aware (scripts/*.mjs without types): typescript-eslint's strict
// and stylistic type-checked sets, with eslint-config-prettier last so no rule argues with Prettier's layout.
// Every option set below says why; a disable comment in the code says why too.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.demo/', 'bench/results/'] },
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
      // Numbers (counts, sizes, ports) read fine, and a Reference's toString is its canonical form; the rest needs a decision.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'file', name: 'Reference', path: 'src/reference/reference.ts' },
          ],
        },
      ],
      // `(event) => emit(event)` and `return callback(error)` in a void function are plain idioms, not confusion.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // It turns `x as T` into `x!`, which strict's no-non-null-assertion forbids: the stricter rule wins.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // A cleanup hook registered before the value it cleans up reads a `let`: as a const it would hit the TDZ when setup throws.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `||` on purpose where an empty string or a 0 means unset (DOCKER_CONFIG='', a flag given as '', 0 columns).
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true, number: true } }],
      // The run store and test doubles implement async interfaces without awaiting: `async` keeps a throw a rejection.
      '@typescript-eslint/require-await': 'off',
      // The terminal display and the secret scrubber match control characters on purpose (escaping them is their job).
      'no-control-regex': 'off',
      // An empty arrow is a deliberate no-op (an 'error' listener on a destroyed stream, a default sink); methods say why.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // tsc's noUnusedLocals and noUnusedParameters already check this, with its own exceptions (`_` names, rest siblings).
      '@typescript-eslint/no-unused-vars': 'off',
      // A constructor that passes its arguments on narrows their types (an error class's codes): not useless to tsc.
      '@typescript-eslint/no-useless-constructor': 'off',
      // process.env, HTTP header objects and JSON Schema nodes are plain objects keyed by data: delete is their API.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // T[] for simple types, Array<...> for object and union types, as most of the code already wrote it.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
    },
  },
  // The build script and this file are plain JavaScript outside tsconfig: linted without type information.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.test.ts'],
    rules: {
      // Tests read API replies (inject's json(), fetch) as `any` and assert on them; typing each would restate the schemas.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
