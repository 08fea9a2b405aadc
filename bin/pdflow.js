#!/usr/bin/env node
// The `pdflow` command: runs the CLI compiled to JavaScript (scripts/build-cli.js), never tsx at
// every call. The build is keyed by the sources as they are now, so edited sources are compiled
// first (0.4–1 s) and stale code never runs; should building fail, the sources run
// through tsx, with a one-line notice.
/* global process, console */
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, builtEntry } from '../scripts/build-cli.js';

// `pdflow logs ... | head`: a closed pipe ends the output, not in a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
let entry = builtEntry();
if (!entry) {
  try {
    entry = await build();
  } catch (err) {
    console.error(`pdflow: could not compile the CLI (${String(err?.message ?? err).split('\n')[0]}); running the sources through tsx`);
    const { register } = await import('tsx/esm/api');
    register();
    entry = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  }
}
// Stack traces name the .ts sources (the build writes source maps).
process.setSourceMapsEnabled(true);
// Node >= 22.1 keeps V8's compiled code of every module between calls (most of the time left is
// compiling @temporalio/client's modules); Node 20 has no such cache, and this is a no-op there.
module.enableCompileCache?.();
// main.ts only defines the program, so tests can import buildProgram() without running it.
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
