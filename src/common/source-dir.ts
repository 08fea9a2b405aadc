// Where a module's source folder is, whether it runs from src (tsx: the tests, bench) or compiled
// into dist/<key>/src (bin/pdflow.js; scripts/build-cli.js): the files kept beside the sources
// (Python scripts, emulators, the workflows the worker bundles) are only ever in src.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file is <src>/common/source-dir.{ts,js}; compiled, <src> is <root>/dist/<key>/src.
const compiled = import.meta.url.endsWith('.js');
const runningSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The checkout's root folder. */
export const projectRoot = path.resolve(runningSrc, compiled ? '../../..' : '..');
const sourceSrc = path.join(projectRoot, 'src');

/** The source folder of the module at `moduleUrl` (pass `import.meta.url`). */
export function sourceDir(moduleUrl: string): string {
  return path.join(sourceSrc, path.relative(runningSrc, path.dirname(fileURLToPath(moduleUrl))));
}
