// One prepared simulated cluster for many test files: the sim folder is fixed per shape and per
// content of what the nodes install (node scripts, real and emulated wheels, emulated sources), and
// each file starts the cluster again there with keepInstalls, so only the first file of a run pays
// for the node venvs and the UCX/NIXL builds; later files' provision and build stages find them
// "unchanged" (a second run on a real cluster does the same). Ray, jobs and GPU state start fresh.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readState } from '../../src/sim/state.js';
import { isNodeSshd } from '../../src/sim/sshd.js';
import { root } from './cli.js';

const INSTALL_INPUTS = ['scripts/remote', 'src/sim/pypkgs', 'src/sim/gpu', 'src/sim/real-wheels.txt'];

function hashTree(h: ReturnType<typeof createHash>, p: string): void {
  if (statSync(p).isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== '__pycache__') hashTree(h, path.join(p, e));
  } else h.update(path.relative(root, p)).update('\0').update(readFileSync(p)).update('\0');
}

/**
 * The folder of the shared cluster of this shape, or undefined when a cluster runs there now (a
 * second test command on the machine): the caller then starts a private one.
 */
export function sharedSimDir(shape: { workers: number; gpusPerNode?: number }): string | undefined {
  const h = createHash('sha256').update(JSON.stringify(shape));
  for (const p of INSTALL_INPUTS) hashTree(h, path.join(root, p));
  const dir = path.join(os.tmpdir(), `pdflow-shared-sim-${os.userInfo().username}-${h.digest('hex').slice(0, 12)}`);
  const live = readState(dir)?.nodes.some((n) => isNodeSshd(n.sshdPid, n));
  return live ? undefined : dir;
}
