// Lint rules for every source file: ESLint's and typescript-eslint's recommended sets, without type information (a
// type-aware run costs a full type check again, and `npm run typecheck` already does one); layout is Prettier's job.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', '.data/', 'coverage/', 'bench/_scratch/', 'tmp/', 'dist/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a value dropped on purpose: `const { pk: _pk, ...item } = row` strips the keys off a row.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests read parsed JSON bodies whose shape is the thing under test: `expect` checks it, a type would only restate it.
    // A test loads a Lambda entry file (or Powertools) with require() only after setting the environment it reads at
    // load, as Lambda does.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // CommonJS files Node runs as they are (jest's configuration, the benchmark's profiling hook).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly', __dirname: 'readonly', setInterval: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
