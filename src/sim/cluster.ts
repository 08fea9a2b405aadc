// The simulated cluster: a head and N workers, each one real OpenSSH sshd on its own loopback
// address with its own host key, home, workdir and state folder. See the contract "Simulated cluster".
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sourceDir } from '../common/source-dir.js';
import { prepareGpuEmulation } from './gpu/index.js';
import { startSimHub } from './hub/index.js';
import { promisify } from 'node:util';
import { findSshdBinary } from '../common/tools.js';
import { SimInputError } from './errors.js';
import { clusterFileText, DEFAULT_GPU_MODEL } from './clusterfile.js';
import { applyFault, clearProgramFaults } from './faults.js';
import { generateKey, writeKnownHosts } from './keys.js';
import { isAlive, killPids, pidsWithEnv, readCmdline, readExe, withDescendants } from './processes.js';
import { isNodeSshd, nodeSessionEnv, spawnSshd, stopSshd, waitForBanner, writeSshdConfig } from './sshd.js';
import { simRayConfig, rayTmpDirOf } from './ray-ports.js';
import { readState, writeState } from './state.js';
import type { SimCluster, SimClusterOptions, SimFault, SimNode, SimState } from './types.js';

const execFileP = promisify(execFile);

export const EMULATORS_BIN = path.resolve(sourceDir(import.meta.url), 'emulators/bin');
export { DEFAULT_SIM_DIR } from './defaults.js';

function checkOptions(o: SimClusterOptions, dir: string) {
  const name = o.name ?? 'sim';
  const workers = o.workers ?? 2;
  const gpusPerNode = o.gpusPerNode ?? 8;
  const hostPrefix = o.hostPrefix ?? '127.0.0.';
  const first = o.firstHostOctet ?? 10;
  const timeScale = o.timeScale ?? 1;
  const bad = (field: string, value: unknown, want: string) => new SimInputError(`sim cluster: ${field} ${JSON.stringify(value)} is not valid; ${want}`);
  // sshd_config and SetEnv values are unquoted: keep the folder to plain path characters.
  if (/[\s"'\\#$`]/.test(dir)) throw bad('dir', dir, 'use a folder path without spaces, quotes, #, $, ` or backslashes');
  if (!/^[a-z0-9-]+$/.test(name)) throw bad('name', name, 'use lowercase letters, digits and -');
  if (!Number.isInteger(workers) || workers < 0 || workers > 32) throw bad('workers', workers, 'use a whole number 0..32');
  if (!Number.isInteger(gpusPerNode) || gpusPerNode < 0 || gpusPerNode > 16) throw bad('gpusPerNode', gpusPerNode, 'use a whole number 0..16');
  for (const [node, n] of Object.entries(o.perNodeGpus ?? {}))
    if (!Number.isInteger(n) || n < 0 || n > 16) throw bad(`perNodeGpus.${node}`, n, 'use a whole number 0..16');
  if (!/^127\.\d{1,3}\.\d{1,3}\.$/.test(hostPrefix)) throw bad('hostPrefix', hostPrefix, 'use a loopback prefix like "127.0.0."');
  if (!Number.isInteger(first) || first < 1 || first + workers > 254) throw bad('firstHostOctet', first, `use a whole number 1..${254 - workers}`);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) throw bad('port', o.port, 'use a port 1..65535');
  if (!(timeScale > 0)) throw bad('timeScale', timeScale, 'use a number > 0, e.g. 0.1 for ten times faster');
  return { name, workers, gpusPerNode, hostPrefix, first, timeScale, gpuModel: o.gpuModel ?? DEFAULT_GPU_MODEL };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}

/** argv for the plain OpenSSH client: strict host keys against the generated known_hosts only. */
export function sshArgsFor(state: Pick<SimState, 'user' | 'keyPath' | 'knownHostsPath'>, node: Pick<SimNode, 'host' | 'port'>, remote: string[] = []): string[] {
  return [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${state.knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=5',
    '-o', 'LogLevel=ERROR',
    '-i', state.keyPath,
    '-p', String(node.port),
    `${state.user}@${node.host}`,
    ...(remote.length ? ['--', ...remote] : []),
  ];
}

function sessionEnvOf(state: SimState, node: SimNode) {
  return nodeSessionEnv({ node, clusterDir: state.dir, authorizedKeysFile: `${state.keyPath}.pub`, emulatorsBin: state.emulatorsBin, timeScale: state.timeScale, hubEndpoint: state.hubEndpoint });
}

async function checkLogin(state: SimState, node: SimNode): Promise<void> {
  try {
    await execFileP('ssh', sshArgsFor(state, node, ['true']), { timeout: 15_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`sim node ${node.name}: sshd runs on ${node.host}:${node.port} but \`ssh ... true\` failed: ${(e.stderr || e.message).trim()}\nsshd log: ${node.logPath}`);
  }
}

/** What a node keeps across a restart with keepInstalls (its disk's installs; see nodeLayout). */
const INSTALLS = ['venv', 'ucx', 'nixl', 'build', 'hf'];

async function clearNodeDir(nodeDir: string, keepInstalls: boolean): Promise<void> {
  if (!keepInstalls) return rm(nodeDir, { recursive: true, force: true });
  for (const entry of await readdir(nodeDir).catch(() => [] as string[])) {
    if (entry !== 'work') await rm(path.join(nodeDir, entry), { recursive: true, force: true });
  }
  const work = path.join(nodeDir, 'work');
  for (const entry of await readdir(work).catch(() => [] as string[])) {
    if (!INSTALLS.includes(entry)) await rm(path.join(work, entry), { recursive: true, force: true });
  }
}

export async function startSimCluster(opts: SimClusterOptions): Promise<SimCluster> {
  const dir = path.resolve(opts.dir);
  const o = checkOptions(opts, dir);
  const previous = readState(dir);
  if (previous) {
    const live = previous.nodes.filter((n) => isNodeSshd(n.sshdPid, n));
    if (live.length) throw new SimInputError(`a simulated cluster already runs in ${dir} (${live.map((n) => n.name).join(', ')}); stop it first with \`pdflow sim down --dir ${opts.dir}\``);
    await stopState(previous); // leftovers of a cluster whose sshd died some other way
    for (const n of previous.nodes)
      if (/^(head|worker-\d+)$/.test(n.name)) await clearNodeDir(path.join(dir, n.name), opts.keepInstalls === true);
  }
  const sshdBinary = realpathSync(findSshdBinary());
  mkdirSync(path.join(dir, 'client'), { recursive: true });
  const keyPath = path.join(dir, 'client', 'id_ed25519');
  const names = ['head', ...Array.from({ length: o.workers }, (_, i) => `worker-${i + 1}`)];
  for (const extra of Object.keys(opts.perNodeGpus ?? {}))
    if (!names.includes(extra)) throw new SimInputError(`sim cluster: perNodeGpus names node "${extra}", which does not exist; nodes are ${names.join(', ')}`);
  const nodes: SimNode[] = [];
  for (const [i, name] of names.entries()) {
    const host = `${o.hostPrefix}${o.first + i}`;
    const nodeDir = path.join(dir, name);
    const node: SimNode = {
      name,
      role: i === 0 ? 'head' : 'worker',
      host,
      port: opts.port ?? (await freePort(host)),
      gpus: opts.perNodeGpus?.[name] ?? (i === 0 ? 0 : o.gpusPerNode),
      workdir: path.join(nodeDir, 'work'),
      home: path.join(nodeDir, 'home'),
      stateDir: path.join(nodeDir, 'state'),
      sshdPid: 0,
      sshdConfig: path.join(nodeDir, 'sshd_config'),
      hostKeyPath: path.join(nodeDir, 'ssh_host_ed25519_key'),
      logPath: path.join(nodeDir, 'sshd.log'),
    };
    for (const d of [node.workdir, node.home, path.join(node.stateDir, 'runs')]) mkdirSync(d, { recursive: true });
    // sshd starts sessions in the account's real home; bash reads this file for ssh commands,
    // so a session starts in the node's home as on a real machine.
    await writeFile(path.join(node.home, '.bashrc'), '# pdflow sim node: start in this node\'s home\ncd "$HOME" 2>/dev/null || true\n');
    nodes.push(node);
  }

  const state: SimState = {
    version: 1,
    name: o.name,
    dir,
    user: os.userInfo().username,
    keyPath,
    knownHostsPath: path.join(dir, 'client', 'known_hosts'),
    clusterFile: path.join(dir, 'cluster.yaml'),
    sshdBinary,
    emulatorsBin: EMULATORS_BIN,
    timeScale: o.timeScale,
    createdAt: new Date().toISOString(),
    nodes,
  };
  await Promise.all([generateKey(keyPath, `pdflow-sim-client@${o.name}`), ...nodes.map((n) => generateKey(n.hostKeyPath, `pdflow-sim-${n.name}`))]);
  await writeKnownHosts(state.knownHostsPath, nodes);
  // Hardware, sysfs, wheelhouse and fake UCX/NIXL sources, before any session needs them.
  await prepareGpuEmulation({
    simDir: dir,
    nodes: nodes.map((n) => ({ name: n.name, role: n.role, host: n.host, stateDir: n.stateDir, gpus: n.gpus, gpuModel: o.gpuModel, ...(opts.hardware?.[n.name] ? { hardware: opts.hardware[n.name] } : {}) })),
  });
  try {
    // The model hub the nodes download from (HF_ENDPOINT), on the head's address.
    state.hubEndpoint = (await startSimHub(dir, nodes[0]!.host, o.timeScale)).endpoint;
    for (const n of nodes) {
      await writeSshdConfig({ node: n, clusterDir: dir, authorizedKeysFile: `${keyPath}.pub`, emulatorsBin: EMULATORS_BIN, timeScale: o.timeScale, hubEndpoint: state.hubEndpoint });
    }
    for (const n of nodes) n.sshdPid = spawnSshd(sshdBinary, n, dir);
    // Recorded before the checks, so `pdflow sim down` can clean up even if they fail.
    await writeState(state);
    await Promise.all(nodes.map((n) => waitForBanner(n)));
    await Promise.all(nodes.map((n) => checkLogin(state, n)));
  } catch (err) {
    await stopState(state);
    throw err;
  }
  await writeFile(state.clusterFile, clusterFileText(state, (name) => sessionEnvOf(state, nodes.find((n) => n.name === name)!), o.gpuModel, await simRayConfig()));
  return clusterHandle(state);
}

/** The cluster recorded in <dir>/state.json, from any process. */
export async function loadSimCluster(dir: string): Promise<SimCluster> {
  const state = readState(path.resolve(dir));
  if (!state) throw new SimInputError(`no simulated cluster in ${path.resolve(dir)} (no state.json); start one with \`pdflow sim up --dir ${dir}\``);
  return clusterHandle(state);
}

function nodeOf(state: SimState, name: string): SimNode {
  const node = state.nodes.find((n) => n.name === name);
  if (!node) throw new SimInputError(`no sim node "${name}"; nodes are ${state.nodes.map((n) => n.name).join(', ')}`);
  return node;
}

async function stopState(state: SimState): Promise<void> {
  for (const n of state.nodes) await stopSshd(n);
  // Whatever ran on a node (detached jobs, Ray's daemons) carries PDFLOW_SIM_CLUSTER=<dir>.
  for (let i = 0; i < 5; i++) {
    const pids = withDescendants(pidsWithEnv([`PDFLOW_SIM_CLUSTER=${state.dir}`]));
    if (!pids.length) break;
    await killPids(pids, { graceMs: i === 0 ? 1000 : 0 });
  }
  await rm(rayTmpDirOf(state.dir), { recursive: true, force: true });
}

function clusterHandle(initial: SimState): SimCluster {
  let state = initial;
  // Another process may have changed pids (a reboot): always act on the latest record.
  const fresh = () => {
    state = readState(state.dir) ?? state;
    handle.nodes = state.nodes;
    return state;
  };
  const handle: SimCluster = {
    name: state.name,
    dir: state.dir,
    clusterFile: state.clusterFile,
    nodes: state.nodes,
    user: state.user,
    keyPath: state.keyPath,
    knownHostsPath: state.knownHostsPath,
    stop: () => stopState(fresh()),
    async fault(nodeName: string, f: SimFault) {
      const s = fresh();
      const node = nodeOf(s, nodeName);
      const newPid = await applyFault(s, node, f);
      if (newPid !== undefined) {
        node.sshdPid = newPid;
        await writeState(s);
      }
    },
    async clearFaults(nodeName?: string) {
      const s = fresh();
      for (const n of nodeName ? [nodeOf(s, nodeName)] : s.nodes) await clearProgramFaults(n);
    },
    countRuns(nodeName: string, program: string) {
      const node = nodeOf(state, nodeName);
      try {
        return readFileSync(path.join(node.stateDir, 'runs', program), 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
    node: (name: string) => nodeOf(fresh(), name),
    sshArgs: (name: string, remote: string[] = []) => sshArgsFor(state, nodeOf(fresh(), name), remote),
  };
  return handle;
}

export interface SimNodeStatus {
  name: string;
  role: 'head' | 'worker';
  address: string;
  gpus: number;
  sshdPid: number;
  sshdAlive: boolean;
  /** "rebooting": the pid is the waiting process that becomes sshd when the reboot ends. */
  sshd: 'running' | 'rebooting' | 'stopped';
  processes: { pid: number; command: string }[];
}

/** Nodes, whether their sshd lives, and the processes running on each (found by environment marker). */
export function simStatus(dir: string): { name: string; dir: string; clusterFile: string; nodes: SimNodeStatus[] } | undefined {
  const state = readState(path.resolve(dir));
  if (!state) return undefined;
  return {
    name: state.name,
    dir: state.dir,
    clusterFile: state.clusterFile,
    nodes: state.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      address: `${n.host}:${n.port}`,
      gpus: n.gpus,
      sshdPid: n.sshdPid,
      sshdAlive: isNodeSshd(n.sshdPid, n),
      sshd: !isNodeSshd(n.sshdPid, n) ? 'stopped' : readExe(n.sshdPid)?.endsWith('/sshd') ? 'running' : 'rebooting',
      processes: pidsWithEnv([`PDFLOW_SIM_CLUSTER=${state.dir}`, `PDFLOW_SIM_NODE=${n.name}`])
        .filter(isAlive)
        .map((pid) => ({ pid, command: readCmdline(pid).join(' ').slice(0, 200) })),
    })),
  };
}

export const simStateExists = (dir: string) => existsSync(path.join(path.resolve(dir), 'state.json'));
