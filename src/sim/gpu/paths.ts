// Where the GPU-side emulation's files live in the repository (read at `sim up`).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sourceDir } from '../../common/source-dir.js';

const here = sourceDir(import.meta.url);

/** Python helpers shared by the emulators (simhw.py, ucx_info.py, mkwheel.py). */
export const GPU_PY_DIR = path.join(here, 'py');
/** Templates of the fake UCX and NIXL source trees. */
export const TREES_DIR = path.join(here, 'trees');
/** Sources of the emulated Python packages, one folder with a pkg.json per distribution. */
export const PYPKGS_DIR = path.resolve(here, '..', 'pypkgs');
/** The sim's shared fault helper for bash emulators. */
export const FAULT_SH = path.resolve(here, '..', 'emulators', 'lib', 'fault.sh');
/**
 * The real wheels the simulated nodes install (src/sim/real-wheels.txt), downloaded by
 * scripts/bootstrap.sh; PDFLOW_SIM_WHEELS moves it.
 */
export const REAL_WHEELS_LIST = path.resolve(here, '..', 'real-wheels.txt');
export const realWheelsDir = () => process.env.PDFLOW_SIM_WHEELS
  ?? path.resolve(here, '..', '..', '..', '.tools', 'sim-wheels', createHash('sha256').update(readFileSync(REAL_WHEELS_LIST)).digest('hex').slice(0, 16));
