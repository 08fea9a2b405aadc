// The emulated Hugging Face Hub of a simulated cluster (hub_server.py): one HTTP server per
// cluster, started detached at `sim up` on the head's address, reached by the real
// huggingface_hub client on every node through HF_ENDPOINT. The weights need a GPU node's disk,
// so the files are tiny while the hub declares the real sizes.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { sourceDir } from '../../common/source-dir.js';

const HUB_SERVER = path.join(sourceDir(import.meta.url), 'hub_server.py');

export const hubDirOf = (simDir: string) => path.join(simDir, 'hub');
/** "METHOD /path" per request the hub answered, for tests. */
export const hubRequestLogOf = (simDir: string) => path.join(hubDirOf(simDir), 'requests.log');

export interface SimHub {
  /** HF_ENDPOINT for the nodes, e.g. http://127.0.0.10:41234 */
  endpoint: string;
  pid: number;
}

/** Starts the hub detached (it outlives `sim up`; `sim down` stops it by the PDFLOW_SIM_CLUSTER marker). */
export async function startSimHub(simDir: string, host: string, timeScale = 1, timeoutMs = 10_000): Promise<SimHub> {
  const dir = hubDirOf(simDir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const log = openSync(path.join(dir, 'hub.log'), 'a');
  const child = spawn('python3', [HUB_SERVER, '--host', host, '--dir', dir, '--time-scale', String(timeScale)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PDFLOW_SIM_CLUSTER: simDir, PDFLOW_SIM_HUB: '1' },
  });
  closeSync(log);
  child.unref();
  const portFile = path.join(dir, 'port');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(portFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = existsSync(path.join(dir, 'hub.log')) ? readFileSync(path.join(dir, 'hub.log'), 'utf8').slice(-2000) : '';
      throw new Error(`the simulated hub did not start on ${host} (exit ${child.exitCode ?? 'none'}; log ${path.join(dir, 'hub.log')}): ${why}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint: `http://${host}:${readFileSync(portFile, 'utf8').trim()}`, pid: child.pid! };
}
