// ESLint (flat config): the TypeScript (src, tests, scripts) with typescript-eslint's type-aware
// rules, the plain scripts (Node modules in scripts/, browser scripts in public/js) with the
// JavaScript ones. Formatting is Prettier's job, so eslint-config-prettier comes last.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'dist.tmp-*/', 'dist.old-*/', 'src/generated/', 'coverage/', 'test-results/', 'scripts/tmp/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // Express 5 awaits a handler's promise and sends a rejection to the error handler, so an
      // async function where a callback returning void is expected is fine as an argument.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // `_name` marks a parameter kept for its position (Express error handlers need all four).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    // Classic browser scripts (one IIFE each), loaded by <script> tags without a bundler.
    files: ['public/js/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  prettier,
  {
    // Prettier keeps code within 120 columns but leaves comments alone: the limit holds for them too.
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
