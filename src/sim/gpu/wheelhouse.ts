// The local wheelhouse of emulated Python packages: real .whl files (zip with dist-info and
// console-script entry points) built from src/sim/pypkgs/<dist>/ by py/mkwheel.py, offline and in
// well under a second. Sim nodes get PIP_NO_INDEX=1 and PIP_FIND_LINKS=<wheelhouse>.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GPU_PY_DIR, PYPKGS_DIR } from './paths.js';

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

/** Requirements that no package of the wheelhouse provides (pip would fail on them offline). */
export function unresolvedRequirements(specs: PyPackageSpec[]): string[] {
  const have = new Set(specs.map((s) => normalize(s.name)));
  return specs.flatMap((s) => (s.requires ?? []).filter((r) => !have.has(requirementName(r))).map((r) => `${s.name} requires ${r}`));
}

export async function buildWheelhouse(outDir: string, pkgsDir = PYPKGS_DIR): Promise<Wheelhouse> {
  const packages = readPackageSpecs(pkgsDir);
  const missing = unresolvedRequirements(packages);
  if (missing.length) throw new Error(`emulated python packages in ${pkgsDir} need packages the wheelhouse lacks: ${missing.join('; ')}`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const { stdout } = await execFileP('python3', [path.join(GPU_PY_DIR, 'mkwheel.py'), 'house', pkgsDir, outDir]);
  return { dir: outDir, wheels: stdout.split('\n').filter(Boolean), packages };
}
