// The browser builds of vega, vega-lite and vega-embed, read from node_modules, for report.html to
// inline (it must work offline, from file://).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { VegaLibraries } from '../analysis/index.js';

const require = createRequire(import.meta.url);

/** The folder of an installed package: up from its entry point to its package.json (the packages' exports hide build/*.min.js from require.resolve). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || !dir.endsWith(`${path.sep}${name}`)) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${name}: its package folder was not found`);
    dir = up;
  }
  return dir;
}

const read = (name: string, file: string) => readFile(path.join(packageDir(name), 'build', file), 'utf8');

let cached: Promise<VegaLibraries> | undefined;

/** Read once per process (about 0.8 MB). */
export function readVegaLibraries(): Promise<VegaLibraries> {
  cached ??= (async () => ({
    vega: await read('vega', 'vega.min.js'),
    vegaLite: await read('vega-lite', 'vega-lite.min.js'),
    vegaEmbed: await read('vega-embed', 'vega-embed.min.js'),
  }))();
  // A failure (vega-embed not installed) is not cached: the next report tries again.
  cached.catch(() => { cached = undefined; });
  return cached;
}
