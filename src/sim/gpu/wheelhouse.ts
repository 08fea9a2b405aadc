// The local wheelhouse of the simulated nodes: the emulated Python packages (what needs a GPU:
// real .whl files built from src/sim/pypkgs/<dist>/ by py/mkwheel.py, offline, in well under a
// second) next to links to the real wheels from PyPI (src/sim/real-wheels.txt, downloaded by
// scripts/bootstrap.sh). Sim nodes get PIP_NO_INDEX=1 and PIP_FIND_LINKS=<wheelhouse>, so pip
// resolves real packages and emulated ones together, as it would against an index.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GPU_PY_DIR, PYPKGS_DIR, realWheelsDir } from './paths.js';

const execFileP = promisify(execFile);

export interface PyPackageSpec {
  name: string;
  version: string;
  requires?: string[];
  scripts?: Record<string, string>;
  summary?: string;
}

export interface Wheelhouse {
  dir: string;
  wheels: string[];
  packages: PyPackageSpec[];
  /** Real wheels linked in (file names). */
  realWheels: string[];
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');
const requirementName = (req: string) => normalize(req.split(/[\s<>=!~;[(]/)[0] ?? req);

export function readPackageSpecs(pkgsDir = PYPKGS_DIR): PyPackageSpec[] {
  if (!existsSync(pkgsDir)) return [];
  return readdirSync(pkgsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(pkgsDir, d.name, 'pkg.json')))
    .map((d) => {
      const file = path.join(pkgsDir, d.name, 'pkg.json');
      const spec = JSON.parse(readFileSync(file, 'utf8')) as PyPackageSpec;
      if (!spec.name || !spec.version) throw new Error(`${file}: "name" and "version" are required (got ${JSON.stringify(spec)})`);
      return spec;
    });
}

/** The distribution name of a wheel file name (`ray-2.51.0-cp311-…whl` → `ray`). */
export const wheelDistName = (file: string) => normalize(file.split('-')[0] ?? file);

/** Requirements that no package of the wheelhouse provides (pip would fail on them offline). */
export function unresolvedRequirements(specs: PyPackageSpec[], realDists: string[] = []): string[] {
  const have = new Set([...specs.map((s) => normalize(s.name)), ...realDists.map(normalize)]);
  return specs.flatMap((s) => (s.requires ?? []).filter((r) => !have.has(requirementName(r))).map((r) => `${s.name} requires ${r}`));
}

/** The real wheels of the bootstrap download that no emulated package replaces. */
export function realWheelFiles(dir = realWheelsDir(), emulated: PyPackageSpec[] = []): string[] {
  if (!existsSync(dir)) {
    throw new Error(`the simulated nodes' real wheels are missing (${dir}); run 'bash scripts/bootstrap.sh' (it downloads src/sim/real-wheels.txt from PyPI)`);
  }
  const emulatedNames = new Set(emulated.map((s) => normalize(s.name)));
  return readdirSync(dir).filter((f) => f.endsWith('.whl') && !emulatedNames.has(wheelDistName(f))).sort();
}

export async function buildWheelhouse(outDir: string, pkgsDir = PYPKGS_DIR): Promise<Wheelhouse> {
  const packages = readPackageSpecs(pkgsDir);
  const realDir = realWheelsDir();
  const realWheels = realWheelFiles(realDir, packages);
  const missing = unresolvedRequirements(packages, realWheels.map(wheelDistName));
  if (missing.length) throw new Error(`emulated python packages in ${pkgsDir} need packages the wheelhouse lacks: ${missing.join('; ')}`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const { stdout } = await execFileP('python3', [path.join(GPU_PY_DIR, 'mkwheel.py'), 'house', pkgsDir, outDir]);
  await Promise.all(realWheels.map((f) => symlink(path.join(realDir, f), path.join(outDir, f))));
  return { dir: outDir, wheels: stdout.split('\n').filter(Boolean), packages, realWheels };
}
