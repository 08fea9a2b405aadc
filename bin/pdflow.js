#!/usr/bin/env node
// The `pdflow` command: runs the TypeScript CLI through tsx (no build step to forget).
/* global process */
// main.ts only defines the program, so tests can import buildProgram() without running it.
import { register } from 'tsx/esm/api';
register();
// `pdflow logs ... | head`: a closed pipe ends the output, not in a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
