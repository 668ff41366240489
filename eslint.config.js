// Flat config: typescript-eslint's recommended rules, not type-aware (fast on a 2-core box).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.test-runs/**', '.dockyard/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', setTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-require-imports': 'off',
      // On Node 20 one AsyncLocalStorage scope anywhere turns on promise hooks for every promise of
      // the process: a fifth of the standalone hub's reads (libs/eventstore handled-commands.ts).
      'no-restricted-imports': [
        'error',
        ...['node:async_hooks', 'async_hooks'].map((name) => ({
          name,
          importNames: ['AsyncLocalStorage', 'createHook'],
          message: 'Pass the context instead: any AsyncLocalStorage scope turns on promise hooks for the whole process (see libs/eventstore/src/handled-commands.ts).',
        })),
      ],
    },
  },
  {
    // The probe's own test shows it sees a scope.
    files: ['libs/runtime/src/logger.unit.spec.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
