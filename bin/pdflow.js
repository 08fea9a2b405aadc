#!/usr/bin/env node
// The `pdflow` command: runs the TypeScript CLI through tsx (no build step to forget).
// main.ts only defines the program, so tests can import buildProgram() without running it.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
