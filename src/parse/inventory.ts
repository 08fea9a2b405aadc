// inventory.sh's JSON line: raw tool output (nvidia-smi's query CSV and banner, fi_info -p efa),
// the EFA sysfs entries, disk, Python and build-prerequisite facts. Read here with the tool parsers,
// so one parser per output serves the inventory, the tests and the fixtures of real nodes.
import { z } from 'zod';
import { ParseError } from './errors.js';
import { parseFiInfo, type FiInfoResult } from './fi-info.js';
import { parseJsonWith } from './json-line.js';
import { parseNvidiaSmiBanner, parseNvidiaSmiQuery, type NvidiaSmiGpu } from './nvidia-smi.js';
import { parseUcxInfoVersion } from './ucx-info.js';

const path = z.string().nullable();

export const InventoryJsonSchema = z.object({
  script: z.literal('inventory'),
  hostname: z.string(),
  cpus: z.number().int().nullable(),
  memTotalKiB: z.number().nullable(),
  nvidiaSmi: z.object({
    path,
    queryFields: z.string(),
    /** null: nvidia-smi is not on PATH; 127: it is, but its program is not. */
    exitCode: z.number().int().nullable(),
    query: z.string(),
    banner: z.string(),
  }),
  efa: z.object({ sysfsPath: z.string(), sysfsDevices: z.array(z.string()) }),
  fiInfo: z.object({ path, version: z.string(), exitCode: z.number().int().nullable(), efa: z.string() }),
  disk: z.object({ path: z.string(), measuredAt: z.string(), freeBytes: z.number().nullable(), totalBytes: z.number().nullable() }),
  python: z.object({ path, version: z.string().nullable() }),
  venv: z.object({ path: z.string(), exists: z.boolean(), info: z.unknown() }).nullable(),
  /** Present when inventory.sh was given --ucx-prefix or --model (absent from older scripts). */
  stack: z.object({
    ucxInfo: z.object({ exitCode: z.number().int().nullable(), version: z.string() }),
    model: z.string().nullable(),
    modelRevision: z.string().nullable(),
  }).nullable().optional(),
  prerequisites: z.object({
    os: z.object({ id: z.string(), version: z.string() }),
    /** command name → its path on PATH, null when absent */
    commands: z.record(z.string(), path),
    /** header (e.g. "infiniband/efadv.h", "Python.h") → where it was found, null when absent */
    headers: z.record(z.string(), path),
  }),
});
export type InventoryJson = z.output<typeof InventoryJsonSchema>;

export interface Inventory {
  hostname: string;
  gpus: NvidiaSmiGpu[];
  /** Why there are no GPUs when nvidia-smi is absent or failed. */
  gpuNote?: string;
  driver?: string;
  cuda?: string;
  /** EFA devices in sysfs (/sys/class/infiniband). */
  efaDevices: string[];
  /** fi_info -p efa read by parseFiInfo; null when fi_info is not installed (absent, or exit 127). */
  fiInfo: FiInfoResult | null;
  fiVersion?: string;
  disk: InventoryJson['disk'];
  python: InventoryJson['python'];
  prerequisites: InventoryJson['prerequisites'];
  /** Installed versions in the venv (--venv), by distribution name; absent ones left out. */
  packages: Record<string, string>;
  /** `ucx_info -v` of the built UCX (--ucx-prefix), when it ran. */
  ucxVersion?: string;
  /** The snapshot the Hugging Face cache resolves the model's "main" to (--model, --hf-home). */
  modelRevision?: string;
}

const VenvInfoSchema = z.object({ packages: z.record(z.string(), z.string().nullable()) });

/** The venv's package versions; {} when the venv is absent or its probe printed nothing usable. */
function venvPackages(info: unknown): Record<string, string> {
  const parsed = VenvInfoSchema.safeParse(info);
  if (!parsed.success) return {};
  return Object.fromEntries(Object.entries(parsed.data.packages).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** Validates the JSON line and reads the raw tool output in it. */
export function readInventory(value: unknown): Inventory {
  const j = parseJsonWith(value, 'inventory.sh', InventoryJsonSchema);
  const inv: Inventory = {
    hostname: j.hostname,
    gpus: [],
    efaDevices: j.efa.sysfsDevices,
    fiInfo: null,
    disk: j.disk,
    python: j.python,
    prerequisites: j.prerequisites,
    packages: venvPackages(j.venv?.info),
  };
  if (j.stack?.modelRevision) inv.modelRevision = j.stack.modelRevision;
  if (j.stack && j.stack.ucxInfo.exitCode === 0) {
    try {
      inv.ucxVersion = parseUcxInfoVersion(j.stack.ucxInfo.version).version;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
    }
  }
  const smi = j.nvidiaSmi;
  // 127: a wrapper on PATH whose program is gone (the shell's "command not found").
  if (smi.exitCode === null || smi.exitCode === 127) inv.gpuNote = 'nvidia-smi is not installed (no NVIDIA driver)';
  else {
    try {
      inv.gpus = parseNvidiaSmiQuery(smi.query, { fields: smi.queryFields.split(',') });
      if (smi.exitCode !== 0 && inv.gpus.length === 0) inv.gpuNote = `nvidia-smi exited ${smi.exitCode}: ${firstLine(smi.query)}`;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      inv.gpuNote = `nvidia-smi exited ${smi.exitCode}: ${err.message}`;
    }
    if (inv.gpus.length > 0) {
      inv.driver = inv.gpus[0]!.driverVersion;
      try {
        const banner = parseNvidiaSmiBanner(smi.banner);
        inv.cuda = banner.cudaVersion;
        inv.driver ??= banner.driverVersion;
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    }
  }
  if (j.fiInfo.path !== null && j.fiInfo.exitCode !== 127) {
    inv.fiInfo = parseFiInfo(j.fiInfo.efa);
    const v = /^libfabric:\s*(\S+)/m.exec(j.fiInfo.version);
    if (v) inv.fiVersion = v[1];
  }
  return inv;
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';
