// Fault injection on a simulated node. Connection faults act at once on the node's sshd;
// program faults go to <stateDir>/faults.json, which the emulators read through one helper
// (emulators/lib/simfault.py). Only this module writes faults.json; the emulators record a
// consumed failure in faults.consumed/<id>, so the two never write the same file.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { SimInputError } from './errors.js';
import { killPids, pidsWithEnv, withDescendants } from './processes.js';
import { killSessions, spawnSshd, stopSshd } from './sshd.js';
import { writeJsonAtomic } from './state.js';
import type { ProgramFaults, SimFault, SimNode, SimState } from './types.js';

const faultsFile = (node: SimNode) => path.join(node.stateDir, 'faults.json');
const PROGRAM = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function readProgramFaults(node: SimNode): ProgramFaults {
  try {
    return JSON.parse(readFileSync(faultsFile(node), 'utf8')) as ProgramFaults;
  } catch {
    return {};
  }
}

/** Throws a message naming the bad field, its value and what would be accepted. */
export function validateFault(f: SimFault): void {
  const bad = (field: string, value: unknown, want: string) => {
    throw new SimInputError(`sim fault ${f.kind}: ${field} ${JSON.stringify(value)} is not valid; use ${want}`);
  };
  if ('program' in f && !PROGRAM.test(f.program)) bad('program', f.program, 'a program name like sim-work (letters, digits, . _ + -)');
  switch (f.kind) {
    case 'reboot':
      if (!(f.seconds > 0 && f.seconds <= 3600)) bad('seconds', f.seconds, 'a number of seconds in (0, 3600]');
      break;
    case 'fail':
      if (!(Number.isInteger(f.times) && f.times > 0)) bad('times', f.times, 'a whole number >= 1');
      if (!(Number.isInteger(f.exitCode) && f.exitCode >= 1 && f.exitCode <= 255)) bad('exitCode', f.exitCode, 'a whole number in 1..255');
      break;
    case 'slow':
      if (!(f.factor > 0 && f.factor <= 1000)) bad('factor', f.factor, 'a number in (0, 1000]');
      break;
  }
}

async function setProgramFault(node: SimNode, f: Exclude<SimFault, { kind: 'drop' } | { kind: 'reboot' }>): Promise<void> {
  const faults = readProgramFaults(node);
  if (f.kind === 'fail') faults.fail = { ...faults.fail, [f.program]: { id: `${Date.now()}-${randomBytes(4).toString('hex')}`, times: f.times, exitCode: f.exitCode } };
  if (f.kind === 'hang') faults.hang = { ...faults.hang, [f.program]: true };
  if (f.kind === 'slow') faults.slow = { ...faults.slow, [f.program]: f.factor };
  mkdirSync(node.stateDir, { recursive: true });
  await writeJsonAtomic(faultsFile(node), faults);
}

export async function clearProgramFaults(node: SimNode): Promise<void> {
  await rm(faultsFile(node), { force: true });
  await rm(path.join(node.stateDir, 'faults.consumed'), { recursive: true, force: true });
}

/** Every process that ran on the node: the session environment carries both markers. */
export const nodeProcessMarkers = (node: SimNode, clusterDir: string) => [`PDFLOW_SIM_CLUSTER=${clusterDir}`, `PDFLOW_SIM_NODE=${node.name}`];


/**
 * Like a reboot: sshd goes away (connections refused) and every process of the node dies; after
 * `seconds` the same sshd (same config, host key and port) comes back. The restart is a detached
 * process, so it happens even when the caller exits. Returns the new listener pid.
 */
export async function rebootNode(state: SimState, node: SimNode, seconds: number): Promise<number> {
  await stopSshd(node);
  // Jobs may fork while we kill: repeat until none is left.
  for (let i = 0; i < 5; i++) {
    // Ray's daemons carry the markers; its workers (renamed, environment overwritten) are their children.
    const pids = withDescendants(pidsWithEnv(nodeProcessMarkers(node, state.dir)));
    if (!pids.length) break;
    await killPids(pids, { hard: true });
  }
  return spawnSshd(state.sshdBinary, node, state.dir, seconds);
}

/** Applies a fault; returns the node's new sshd pid when it changed. */
export async function applyFault(state: SimState, node: SimNode, f: SimFault): Promise<number | undefined> {
  validateFault(f);
  switch (f.kind) {
    case 'drop':
      await killSessions(node);
      return undefined;
    case 'reboot':
      return rebootNode(state, node, f.seconds);
    default:
      await setProgramFault(node, f);
      return undefined;
  }
}
