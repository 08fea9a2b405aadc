// Lint rules that guard the architecture: no floating promises anywhere, and workflow code
// (deterministic, bundled into the Temporal sandbox) may not import Node built-ins or SSH.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules', '.tools', '.pdflow', 'dist', 'out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test/describe return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.map((name) => ({ name, message: 'Workflows are deterministic: do I/O in activities.' })),
          { name: 'node-ssh', message: 'Workflows never touch SSH: call an activity.' },
          { name: 'ssh2', message: 'Workflows never touch SSH: call an activity.' },
        ],
        patterns: [
          { group: ['**/activities/*', '**/activities/**', '!**/activities/types'], allowTypeImports: true, message: 'Import activities as types only (import type).' },
          { group: ['**/config-io/*', '**/config-io/**'], allowTypeImports: true, message: 'Config files are read by an activity (import type only).' },
          { group: ['**/sim/**'], message: 'The simulator is not part of the product path.' },
        ],
      }],
    },
  },
  {
    // The product path: activities and the worker never reach into the simulator or the workflows.
    files: ['src/activities/**/*.ts', 'src/worker.ts', 'src/results-store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/sim/**', '**/sim/*'], message: 'The simulator is not part of the product path.' },
          { group: ['**/workflows/*', '**/workflows/**'], message: 'Activities take their contracts from src/activities/types.ts, never from src/workflows.' },
        ],
      }],
    },
  },
  {
    files: ['src/config/**/*.ts', 'src/plan/**/*.ts', 'src/parse/**/*.ts', 'src/analysis/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.map((name) => ({ name, message: 'Pure modules do no I/O.' })),
          { name: 'node-ssh', message: 'Pure modules do no I/O.' },
        ],
        patterns: [{ group: ['@temporalio/*'], message: 'Pure modules do not import Temporal.' }],
      }],
    },
  },
);
