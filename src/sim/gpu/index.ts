// GPU-side emulation of a simulated cluster, prepared once at `sim up` (before the sshd configs
// are written): per-node hardware.json and fake sysfs, the wheelhouse of emulated Python
// packages, the fake UCX/NIXL git repos, and the environment every node session needs to find them.
import path from 'node:path';
import { writeEfaSoftware } from './efa-software.js';
import { defaultHardware, type NodeHardware, rdmaIncludeDir, sysfsRoot, writeHardware, writeRdmaHeaders, writeSysfs } from './hardware.js';
import { generateSources, gitRedirectEnv, sourcesDir } from './sources.js';
import { buildWheelhouse } from './wheelhouse.js';

export { defaultHardware, efaDeviceNames, writeHardware, writeSysfs, DEFAULT_GPU_MODEL } from './hardware.js';
export type { NodeHardware } from './hardware.js';
export { buildWheelhouse, readPackageSpecs, unresolvedRequirements } from './wheelhouse.js';
export type { PyPackageSpec, Wheelhouse } from './wheelhouse.js';
export { generateSources, gitRedirectEnv, NIXL_GIT_URL, UCX_GIT_URL } from './sources.js';
export type { FakeSources } from './sources.js';

export interface GpuNodeSpec {
  name: string;
  role: 'head' | 'worker';
  host: string;
  stateDir: string;
  gpus: number;
  gpuModel?: string;
  /** Default: 32 on workers, 0 on the head (as the sim's cluster file declares). */
  efaDevices?: number;
  /** Any other hardware.json override (driver, cuda, libefa, libfabric ...). */
  hardware?: Partial<NodeHardware>;
}

export interface GpuEmulation {
  gpuDir: string;
  wheelhouse: string;
  ucxRepo: string;
  nixlRepo: string;
  /** Per node name: variables to add to the node's session env (sshd SetEnv) and cluster-file env. */
  env: Record<string, Record<string, string>>;
}

export const gpuDirOf = (simDir: string) => path.join(simDir, 'gpu');
export const wheelhouseDirOf = (simDir: string) => path.join(gpuDirOf(simDir), 'wheelhouse');

/**
 * The session env of one node; pure, so the sim can rebuild an sshd config at any time. Values
 * hold no spaces (sshd SetEnv is one line), provided simDir has none.
 */
export function gpuNodeEnv(simDir: string, node: Pick<GpuNodeSpec, 'host' | 'stateDir'>, hubEndpoint?: string): Record<string, string> {
  const git = sourcesDir(gpuDirOf(simDir));
  return {
    // The real huggingface_hub client downloads from the cluster's emulated hub (src/sim/hub).
    ...(hubEndpoint ? { HF_ENDPOINT: hubEndpoint, HF_HUB_DISABLE_TELEMETRY: '1' } : {}),
    PDFLOW_SIM_HOST: node.host,
    PDFLOW_SYSFS_ROOT: sysfsRoot(node.stateDir),
    // The EFA software's headers (rdma-core), where a compiler and the prerequisite check look.
    CPATH: rdmaIncludeDir(node.stateDir),
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheelhouseDirOf(simDir),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    // Byte-compiling ~100 real wheels (transformers alone is 2,200 files) on every simulated node
    // of one 2-core machine doubled provision; what is installed is the same, and Python compiles
    // what it imports on first use.
    PIP_NO_COMPILE: '1',
    ...gitRedirectEnv(path.join(git, 'ucx'), path.join(git, 'nixl')),
  };
}

export async function prepareNodeHardware(node: GpuNodeSpec): Promise<NodeHardware> {
  const hw = defaultHardware(node.role, node.gpus, {
    ...(node.gpuModel ? { gpuModel: node.gpuModel } : {}),
    ...(node.efaDevices !== undefined ? { efaDevices: node.efaDevices } : {}),
    ...node.hardware,
  });
  await writeHardware(node.stateDir, hw);
  await writeSysfs(node.stateDir, hw);
  await writeRdmaHeaders(node.stateDir, hw);
  await writeEfaSoftware(node.stateDir, hw);
  return hw;
}

/** Call once per `sim up`, before writing the sshd configs; merge `env[node]` into each node's session env. */
export async function prepareGpuEmulation(opts: { simDir: string; nodes: GpuNodeSpec[]; hubEndpoint?: string }): Promise<GpuEmulation> {
  const simDir = path.resolve(opts.simDir);
  const gpuDir = gpuDirOf(simDir);
  const [wheelhouse, sources] = await Promise.all([
    buildWheelhouse(wheelhouseDirOf(simDir)),
    generateSources(gpuDir),
    ...opts.nodes.map((n) => prepareNodeHardware(n)),
  ]);
  const env: Record<string, Record<string, string>> = {};
  for (const n of opts.nodes) env[n.name] = gpuNodeEnv(simDir, n, opts.hubEndpoint);
  return { gpuDir, wheelhouse: wheelhouse.dir, ucxRepo: sources.ucxRepo, nixlRepo: sources.nixlRepo, env };
}
