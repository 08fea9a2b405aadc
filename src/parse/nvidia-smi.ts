// nvidia-smi: the CSV of `--query-gpu=... --format=csv[,noheader][,nounits]`, the banner of the
// default table (driver and CUDA versions) and the `topo -m` matrix.
import { ParseError } from './errors.js';
import { cleanLines, isMissingValue, numberOrUndefined } from './text.js';

const TOOL = 'nvidia-smi';

/** The fields our inventory script queries, in this order, when it uses `noheader`. */
export const GPU_QUERY_FIELDS = ['index', 'name', 'memory.total', 'driver_version', 'pci.bus_id', 'uuid'] as const;

export interface NvidiaSmiGpu {
  index: number;
  name: string;
  memoryTotalMiB?: number;
  memoryUsedMiB?: number;
  driverVersion?: string;
  /** e.g. "00000000:53:00.0" */
  pciBusId?: string;
  uuid?: string;
  utilizationGpuPct?: number;
  /** Any other queried field, by its nvidia-smi name, as printed. */
  extra?: Record<string, string>;
}

export interface NvidiaSmiQueryOptions {
  /** Field order when the CSV has no header; default GPU_QUERY_FIELDS. */
  fields?: readonly string[];
}

/**
 * Parses `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`. With a header the
 * columns come from it; without, from `fields`. "No devices were found" gives [].
 */
export function parseNvidiaSmiQuery(csv: string, opts: NvidiaSmiQueryOptions = {}): NvidiaSmiGpu[] {
  const lines = cleanLines(csv);
  if (lines.length === 0) throw new ParseError(TOOL, 'empty output; expected CSV rows from --query-gpu');
  const joined = lines.map((l) => l.text).join('\n');
  if (/No devices were found/i.test(joined)) return [];
  const failure = lines.find((l) => /NVIDIA-SMI has failed|couldn't communicate with the NVIDIA driver|command not found/i.test(l.text));
  if (failure) throw new ParseError(TOOL, 'nvidia-smi could not talk to the driver (is the NVIDIA driver installed and loaded?)', { lineNumber: failure.n, line: failure.text }, 'driver');

  let fields: string[] = [...(opts.fields ?? GPU_QUERY_FIELDS)];
  let rows = lines;
  const first = lines[0]!;
  const firstCells = splitCsv(first.text);
  if (firstCells[0] !== undefined && !/^\d+$/.test(firstCells[0])) {
    if (!firstCells.some((c) => fieldName(c) === 'index' || fieldName(c) === 'name')) {
      throw new ParseError(TOOL, 'expected the CSV of --query-gpu (a header naming index and name, or rows starting with the GPU index)', { lineNumber: first.n, line: first.text });
    }
    fields = firstCells.map(fieldName);
    rows = lines.slice(1);
  }
  if (!fields.includes('index') || !fields.includes('name')) {
    throw new ParseError(TOOL, `the query must include index and name; columns are: ${fields.join(', ')}`, { lineNumber: first.n, line: first.text });
  }

  return rows.map((row) => {
    const cells = splitCsv(row.text);
    if (cells.length !== fields.length) {
      throw new ParseError(TOOL, `expected ${fields.length} columns (${fields.join(', ')}), found ${cells.length}`, { lineNumber: row.n, line: row.text });
    }
    const gpu: Partial<NvidiaSmiGpu> = {};
    const extra: Record<string, string> = {};
    fields.forEach((field, i) => {
      const value = cells[i]!;
      switch (field) {
        case 'index': {
          if (!/^\d+$/.test(value)) throw new ParseError(TOOL, `GPU index "${value}" is not a number`, { lineNumber: row.n, line: row.text });
          gpu.index = Number(value);
          break;
        }
        case 'name': gpu.name = value; break;
        case 'memory.total': gpu.memoryTotalMiB = isMissingValue(value) ? undefined : numberOrUndefined(value); break;
        case 'memory.used': gpu.memoryUsedMiB = isMissingValue(value) ? undefined : numberOrUndefined(value); break;
        case 'utilization.gpu': gpu.utilizationGpuPct = isMissingValue(value) ? undefined : numberOrUndefined(value); break;
        case 'driver_version': if (!isMissingValue(value)) gpu.driverVersion = value; break;
        case 'pci.bus_id': if (!isMissingValue(value)) gpu.pciBusId = value; break;
        case 'uuid': if (!isMissingValue(value)) gpu.uuid = value; break;
        default: extra[field] = value;
      }
    });
    const out: NvidiaSmiGpu = { index: gpu.index!, name: gpu.name! };
    for (const k of ['memoryTotalMiB', 'memoryUsedMiB', 'driverVersion', 'pciBusId', 'uuid', 'utilizationGpuPct'] as const) {
      if (gpu[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = gpu[k];
    }
    if (Object.keys(extra).length > 0) out.extra = extra;
    return out;
  });
}

/** "memory.total [MiB]" → "memory.total" */
function fieldName(header: string): string {
  return header.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

function splitCsv(line: string): string[] {
  return line.split(',').map((c) => c.trim());
}

export interface NvidiaSmiBanner {
  driverVersion?: string;
  cudaVersion?: string;
  smiVersion?: string;
}

/** Driver and CUDA versions from the banner of plain `nvidia-smi`. */
export function parseNvidiaSmiBanner(text: string): NvidiaSmiBanner {
  const lines = cleanLines(text);
  for (const l of lines) {
    const driver = /Driver Version:\s*([\d.]+)/.exec(l.text);
    if (!driver) continue;
    const out: NvidiaSmiBanner = { driverVersion: driver[1] };
    const cuda = /CUDA Version:\s*([\d.]+)/.exec(l.text);
    if (cuda) out.cudaVersion = cuda[1];
    const smi = /NVIDIA-SMI\s+([\d.]+)/.exec(l.text);
    if (smi) out.smiVersion = smi[1];
    return out;
  }
  const failure = lines.find((l) => /NVIDIA-SMI has failed|couldn't communicate/i.test(l.text));
  if (failure) throw new ParseError(TOOL, 'nvidia-smi could not talk to the driver (is the NVIDIA driver installed and loaded?)', { lineNumber: failure.n, line: failure.text }, 'driver');
  throw new ParseError(TOOL, 'no "Driver Version:" in the banner of nvidia-smi', lines[0] ? { lineNumber: lines[0].n, line: lines[0].text } : {});
}

export interface GpuTopology {
  /** Column devices in order: GPU0..GPUn then NIC0..NICk. */
  devices: string[];
  gpus: string[];
  nics: string[];
  /** links[a][b]: "X", "NV18", "PIX", "SYS", ... */
  links: Record<string, Record<string, string>>;
  /** Per device row: "CPU Affinity", "NUMA Affinity", "GPU NUMA ID" as printed (missing when blank). */
  affinity: Record<string, Record<string, string>>;
  /** "NIC0" → "rdmap79s0" from the NIC Legend. */
  nicNames: Record<string, string>;
}

/**
 * Parses `nvidia-smi topo -m`. The header line carries terminal escape codes (bold/underline) on
 * real machines, and rows may hold an empty cell before "GPU NUMA ID"; both are tolerated.
 */
export function parseNvidiaSmiTopo(text: string): GpuTopology {
  const tool = 'nvidia-smi topo -m';
  const lines = cleanLines(text);
  const headerIdx = lines.findIndex((l) => isTopoHeader(l.text.split('\t').map((c) => c.trim())));
  if (headerIdx < 0) throw new ParseError(tool, 'no header line naming GPU0 (expected the matrix of `nvidia-smi topo -m`)', lines[0] ? { lineNumber: lines[0].n, line: lines[0].text } : {});
  const header = lines[headerIdx]!;
  const headCells = header.text.split('\t').map((c) => c.trim()).filter((c) => c !== '');
  const devices = headCells.filter((c) => /^(GPU|NIC)\d+$/.test(c));
  const trailing = headCells.filter((c) => !/^(GPU|NIC)\d+$/.test(c));
  const topo: GpuTopology = {
    devices,
    gpus: devices.filter((d) => d.startsWith('GPU')),
    nics: devices.filter((d) => d.startsWith('NIC')),
    links: {},
    affinity: {},
    nicNames: {},
  };

  let i = headerIdx + 1;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*Legend:/.test(l.text)) break;
    const cells = l.text.split('\t').map((c) => c.trim());
    const label = cells[0] ?? '';
    if (!/^(GPU|NIC)\d+$/.test(label)) {
      throw new ParseError(tool, 'expected a matrix row starting with GPU<n> or NIC<n>', { lineNumber: l.n, line: l.text });
    }
    const linkCells = cells.slice(1, 1 + devices.length);
    if (linkCells.length < devices.length) {
      throw new ParseError(tool, `row ${label} has ${linkCells.length} link cells, the header names ${devices.length} devices`, { lineNumber: l.n, line: l.text });
    }
    topo.links[label] = Object.fromEntries(devices.map((d, k) => [d, linkCells[k]!]));
    const rest = cells.slice(1 + devices.length).filter((c) => c !== '');
    const aff: Record<string, string> = {};
    trailing.forEach((name, k) => { if (rest[k] !== undefined) aff[name] = rest[k]!; });
    topo.affinity[label] = aff;
  }
  for (; i < lines.length; i++) {
    const m = /^\s*(NIC\d+):\s*(\S+)\s*$/.exec(lines[i]!.text);
    if (m) topo.nicNames[m[1]!] = m[2]!;
  }
  if (topo.gpus.length === 0) throw new ParseError(tool, 'the header names no GPU', { lineNumber: header.n, line: header.text });
  return topo;
}

/** The header names devices (GPU0...) and has no "X" cell; rows start with their own label. */
function isTopoHeader(cells: string[]): boolean {
  return cells.includes('GPU0') && !cells.includes('X') && (cells[0] === '' || cells.includes('CPU Affinity'));
}
