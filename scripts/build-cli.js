// Compiles src/**/*.ts to JavaScript once, for bin/pdflow.js: each file on its own (no bundle), with
// esbuild, the transformer tsx runs the sources through, so compiled code behaves as `tsx` ran it.
// Type checking stays with `tsc --noEmit`.
//
// The output lives in dist/<key>/src, where <key> hashes every source file's path, size and mtime:
// an edited, added or removed source gives another key, so a stale build is never found, let alone
// run. The check costs one directory walk and a stat per file (a few ms), never a hash of contents.
// A build is written to a temporary folder and renamed into place, so two processes building at
// once never see half a build. Builds of older sources are pruned after a day (a long-running
// worker may still import lazily from its own).
//
// Run by scripts/bootstrap.sh and `npm run build`/`prepare`; bin/pdflow.js builds when needed.
/* global process, console */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');
// Inputs beside the sources that shape the output.
const EXTRA_INPUTS = [fileURLToPath(import.meta.url), path.join(ROOT, 'tsconfig.json')];
const PRUNE_AFTER_MS = 24 * 3600 * 1000;

/** The TypeScript sources (paths relative to src), sorted. */
function sources() {
  return fs.readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/** The key of the sources as they are now (see the header). */
export function sourceKey(files = sources()) {
  const h = createHash('sha1');
  for (const f of [...files.map((rel) => path.join(SRC, rel)), ...EXTRA_INPUTS]) {
    const st = fs.statSync(f);
    h.update(`${path.relative(ROOT, f)}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** The compiled CLI entry for these sources, or undefined when they have not been built. */
export function builtEntry(key = sourceKey()) {
  const entry = path.join(DIST, key, 'src/cli/main.js');
  return fs.existsSync(entry) ? entry : undefined;
}

/** Compiles the sources unless already built; returns the compiled CLI entry. */
export async function build() {
  const files = sources();
  const key = sourceKey(files);
  const done = builtEntry(key);
  if (done) return done;
  // esbuild comes with tsx (a dependency): resolved from there, so no second copy is needed.
  const tsxRequire = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = await import(pathToFileURL(tsxRequire.resolve('esbuild')).href);
  const tmp = path.join(DIST, `.tmp-${key}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: files.map((f) => path.join(SRC, f)),
    outbase: SRC,
    outdir: path.join(tmp, 'src'),
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // Stack traces name the .ts files and their lines (bin/pdflow.js turns source maps on).
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
  });
  const final = path.join(DIST, key);
  try {
    fs.renameSync(tmp, final);
  } catch (err) {
    // Another process built the same sources first: use its build.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!builtEntry(key)) throw err;
  }
  prune(key);
  return path.join(final, 'src/cli/main.js');
}

/** Removes builds of other sources not touched for a day, and temporary folders left by killed builds. */
function prune(keep) {
  const now = Date.now();
  for (const name of fs.readdirSync(DIST)) {
    if (name === keep) continue;
    const p = path.join(DIST, name);
    if (now - fs.statSync(p).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(p, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const entry = await build();
  console.log(`build-cli: ${path.relative(ROOT, entry)} (${Date.now() - t0} ms)`);
}
