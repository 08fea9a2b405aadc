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
const SELF = fileURLToPath(import.meta.url);
const PRUNE_AFTER_MS = 24 * 3600 * 1000;

/** The TypeScript sources under <root>/src (paths relative to it), sorted. */
function sources(root) {
  return fs.readdirSync(path.join(root, 'src'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/** The key of the sources as they are now (see the header); this script and tsconfig.json count too. */
export function sourceKey(root = ROOT, files = sources(root)) {
  const h = createHash('sha1');
  for (const f of [...files.map((rel) => path.join(root, 'src', rel)), SELF, path.join(root, 'tsconfig.json')]) {
    const st = fs.statSync(f);
    h.update(`${path.relative(root, f)}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** The compiled CLI entry for these sources, or undefined when they have not been built. */
export function builtEntry(root = ROOT, key = sourceKey(root)) {
  const entry = path.join(root, 'dist', key, 'src/cli/main.js');
  return fs.existsSync(entry) ? entry : undefined;
}

/** Compiles the sources unless already built; returns the compiled CLI entry. */
export async function build(root = ROOT) {
  const files = sources(root);
  const key = sourceKey(root, files);
  const done = builtEntry(root, key);
  if (done) return done;
  // esbuild comes with tsx (a dependency): resolved from there, so no second copy is needed.
  const tsxRequire = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = await import(pathToFileURL(tsxRequire.resolve('esbuild')).href);
  const dist = path.join(root, 'dist');
  const tmp = path.join(dist, `.tmp-${key}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: files.map((f) => path.join(root, 'src', f)),
    outbase: path.join(root, 'src'),
    outdir: path.join(tmp, 'src'),
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    // Stack traces name the .ts files and their lines (bin/pdflow.js turns source maps on).
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
  });
  const final = path.join(dist, key);
  try {
    fs.renameSync(tmp, final);
  } catch (err) {
    // Another process built the same sources first: use its build.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!builtEntry(root, key)) throw err;
  }
  prune(dist, key);
  return path.join(final, 'src/cli/main.js');
}

/** Removes builds of other sources not touched for a day, and temporary folders left by killed builds. */
function prune(dist, keep) {
  const now = Date.now();
  for (const name of fs.readdirSync(dist)) {
    if (name === keep) continue;
    const p = path.join(dist, name);
    if (now - fs.statSync(p).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(p, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  const t0 = Date.now();
  const entry = await build();
  console.log(`build-cli: ${path.relative(ROOT, entry)} (${Date.now() - t0} ms)`);
}
