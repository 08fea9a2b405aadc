// What a simulated node "has": <stateDir>/hardware.json (read by the emulated nvidia-smi, fi_info,
// ucx_info, ray ...) and a fake sysfs with one /sys/class/infiniband entry per EFA device.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface NodeHardware {
  gpus: number;
  gpuModel: string;
  efaDevices: number;
  memoryMiB: number;
  driver: string;
  cuda: string;
  cpus: number;
  ramGiB: number;
  /** libfabric (fi_info) installed; defaults to "has EFA devices". */
  libfabric: boolean;
  libfabricVersion: string;
  /** EFA headers and libefa present (UCX --with-efa needs them). */
  libefa: boolean;
  /** What `df` reports for the node's disks (the emulated weights are tiny; the disk check needs
   * the real model's numbers against a real node's disk). */
  diskTotalBytes: number;
  diskFreeBytes: number;
  /** Clock-event reasons the emulated nvidia-smi reports while a GPU computes, as NVML's hex mask,
   * e.g. "0x40" (HW thermal slowdown) to make a point look throttled; absent: none. */
  throttleReasons?: string;
}

export const DEFAULT_GPU_MODEL = 'NVIDIA H100 80GB HBM3';

const MEMORY_BY_MODEL: Array<[RegExp, number]> = [
  [/H200/, 143771],
  [/H100.*94GB|H100 NVL/, 95830],
  [/H100|A100.*80GB/, 81559],
  [/A100/, 40960],
  [/L40S/, 46068],
];

export function memoryForModel(model: string): number {
  return MEMORY_BY_MODEL.find(([re]) => re.test(model))?.[1] ?? 81559;
}

/** A p5.48xlarge-like worker (8 GPUs, 32 EFA devices) or a CPU head, with overrides. */
export function defaultHardware(role: 'head' | 'worker', gpus: number, over: Partial<NodeHardware> = {}): NodeHardware {
  const gpuModel = over.gpuModel ?? DEFAULT_GPU_MODEL;
  const efaDevices = over.efaDevices ?? (role === 'worker' ? 32 : 0);
  const big = gpus > 0;
  return {
    gpus,
    gpuModel,
    efaDevices,
    memoryMiB: memoryForModel(gpuModel),
    driver: '550.90.07',
    cuda: '12.4',
    cpus: big ? 192 : 32,
    ramGiB: big ? 2048 : 128,
    libfabric: efaDevices > 0,
    libfabricVersion: '2.1.0amzn3.0',
    libefa: true,
    // p5.48xlarge: 8 x 3.84 TB instance store; a CPU head: a 500 GB root volume.
    diskTotalBytes: big ? 30_000_000_000_000 : 500_000_000_000,
    diskFreeBytes: big ? 28_000_000_000_000 : 400_000_000_000,
    ...over,
  };
}

/** rdmap79s0..rdmap82s0 for GPU0, rdmap96s0.. for GPU1, ...: 4 per GPU as on p5 (docs/node-facts.md). */
export function efaDeviceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `rdmap${79 + 17 * Math.floor(i / 4) + (i % 4)}s0`);
}

export const sysfsRoot = (stateDir: string) => path.join(stateDir, 'sysfs');
/** The node's rdma-core headers (CPATH on the node), present when hardware.json says libefa. */
export const rdmaIncludeDir = (stateDir: string) => path.join(stateDir, 'include');

/**
 * Stand-ins for rdma-core's infiniband/verbs.h and efadv.h (EFA software, which this machine need
 * not have): the provision prerequisite check looks for the files; nothing compiles against them.
 */
export async function writeRdmaHeaders(stateDir: string, hw: NodeHardware): Promise<void> {
  const dir = path.join(rdmaIncludeDir(stateDir), 'infiniband');
  await rm(dir, { recursive: true, force: true });
  if (!hw.libefa) return;
  await mkdir(dir, { recursive: true });
  const stub = (name: string) => `/* pdflow simulator: stand-in for rdma-core's infiniband/${name} (EFA emulation) */\n`;
  await Promise.all(['verbs.h', 'efadv.h'].map((h) => writeFile(path.join(dir, h), stub(h))));
}

export async function writeHardware(stateDir: string, hw: NodeHardware): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeFile(path.join(stateDir, 'hardware.json'), JSON.stringify(hw, null, 2) + '\n');
}

const COUNTERS = ['tx_bytes', 'rx_bytes', 'tx_pkts', 'rx_pkts', 'rdma_read_bytes', 'rdma_write_bytes', 'send_bytes', 'recv_bytes', 'rdma_read_resp_bytes'];

/** <stateDir>/sysfs/sys/class/infiniband/<dev>/... for every EFA device (none on a node without EFA). */
export async function writeSysfs(stateDir: string, hw: NodeHardware): Promise<string> {
  const root = sysfsRoot(stateDir);
  const ib = path.join(root, 'sys', 'class', 'infiniband');
  await rm(ib, { recursive: true, force: true });
  await mkdir(path.join(root, 'sys', 'class'), { recursive: true });
  const names = efaDeviceNames(hw.efaDevices);
  await Promise.all(
    names.map(async (dev, i) => {
      const d = path.join(ib, dev);
      const port = path.join(d, 'ports', '1');
      await mkdir(path.join(port, 'hw_counters'), { recursive: true });
      await mkdir(path.join(d, 'device'), { recursive: true });
      const files: Array<[string, string]> = [
        [path.join(d, 'node_type'), '1: CA'],
        [path.join(d, 'node_guid'), `0000:0000:0000:${(0x1000 + i).toString(16)}`],
        [path.join(d, 'fw_ver'), '0.0.0.0'],
        [path.join(d, 'device', 'numa_node'), String(hw.gpus > 0 && i >= names.length / 2 ? 1 : 0)],
        [path.join(port, 'state'), '4: ACTIVE'],
        [path.join(port, 'phys_state'), '5: LinkUp'],
        [path.join(port, 'rate'), '100 Gb/sec (4X EDR)'],
        [path.join(port, 'link_layer'), 'Unspecified'],
        ...COUNTERS.map((c): [string, string] => [path.join(port, 'hw_counters', c), '0']),
      ];
      await Promise.all(files.map(([f, v]) => writeFile(f, v + '\n')));
    }),
  );
  if (!names.length) await rm(ib, { recursive: true, force: true });
  return root;
}
