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
    files: ['tests/**/*.ts'],
    rules: {
      // supertest's res.body and the DOM stand-ins of the browser tests are `any` by design; the expect() is the check.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['tests/e2e/**/*.ts'],
    rules: {
      // page.evaluate callbacks run in Chromium with `any` stand-ins for the DOM: the DOM library clashes with
      // Node's fetch types in src, so browser values stay untyped here (and only here).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    rules: {
      // Control characters in a pattern are what the input checks look for (return-to, text, file detection).
      'no-control-regex': 'off',
      // A variable that a closure reads before its one assignment (the app built after listen) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
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
