// <dir>/state.json: the one record of a simulated cluster, shared between processes
// (`pdflow sim up` writes it; status, fault and down read it).
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimState } from './types.js';

export const stateFile = (dir: string) => path.join(dir, 'state.json');

export function readState(dir: string): SimState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile(dir), 'utf8');
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as SimState;
  if (state.version !== 1 || !Array.isArray(state.nodes)) throw new Error(`${stateFile(dir)} is not a pdflow sim state file`);
  return state;
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, file);
}

export const writeState = (state: SimState) => writeJsonAtomic(stateFile(state.dir), state);
