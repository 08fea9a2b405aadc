// A benchmark point's identity by content: what it ran on and what it measured, never when, by
// whom or under which id. Two records with the same key measured the same thing, so one may stand
// in for the other (reuse) or be compared with it (`pdflow compare`). Pure.
//
// IN the key:
//   - model: the model id the benchmark served (record.model);
//   - hardware: GPU model, GPUs per node, GPU memory, EFA devices per node, driver and CUDA
//     versions, exactly as recorded (absent = unknown, which differs from any known value);
//   - versions: every component of record.versions (vllm, nixl, ucx, ray, flashinfer, a model
//     revision...), names lower-cased;
//   - deployment shape: mode, prefill/decode/replica counts and TP, GPUs, KV backend, the engines'
//     env, and the free `variant` label (an imported folder's "spread-ucx120": it names a
//     difference the record cannot otherwise express);
//   - workload (ISL, OSL, mode) and load (concurrency, request rate, prompts).
// NOT in the key: pointId, deployment id and name (labels), servedName (a name, not a setting),
//   hardware.source (where the facts came from, not what they are), status, reason, metrics,
//   timings, attempt, aborted attempts, flags, paths, importedFrom, gpu (samples taken during the
//   run: measurements) and hourlyUsd (a price, not a setting).
// Not in the record today, so not in the key: the sweep's bench settings (dataset, ignore-eos,
//   burstiness, seed) and engine arguments. When the record carries them, add them here and bump
//   CONTENT_KEY_VERSION.
// `withVersions: false` (what compare matches by) drops every software version: record.versions
// and the driver and CUDA versions of the hardware; the physical hardware stays.
import type { BenchPointRecord, EngineGroup } from './records.js';

/** Bumped whenever the fields of the key change: keys of another scheme never match. */
export const CONTENT_KEY_VERSION = 1;

export interface ContentKeyOptions {
  /** Default true. False: software versions (record.versions, driver, CUDA) are left out. */
  withVersions?: boolean;
}

/** The canonical content of a record: fixed shape, null for unknown, sorted maps. */
export interface ContentKeyParts {
  scheme: number;
  model: string | null;
  hardware: {
    gpuModel: string | null;
    gpusPerNode: number | null;
    gpuMemoryMiB: number | null;
    efaDevices: number | null;
    /** Absent (not null) with withVersions: false. */
    driverVersion?: string | null;
    cudaVersion?: string | null;
  };
  /** Component → version, names lower-cased; absent with withVersions: false. */
  versions?: Record<string, string>;
  deployment: {
    mode: string;
    prefill: EngineGroup | null;
    decode: EngineGroup | null;
    replicas: EngineGroup | null;
    gpus: number;
    backend: string | null;
    env: Record<string, string>;
    variant: string | null;
  };
  workload: { isl: number; osl: number; mode: string };
  load: { concurrency: number | null; requestRate: number | null; numPrompts: number };
}

const text = (s: string | undefined): string | null => (s === undefined || s.trim() === '' ? null : s.trim());
const num = (n: number | undefined): number | null => (n === undefined || !Number.isFinite(n) ? null : n);
const group = (g: EngineGroup | undefined): EngineGroup | null => (g ? { count: g.count, tp: g.tp } : null);
// Key order does not matter: canonicalJson sorts keys.
const trimmed = (m: Record<string, string> | undefined, lowerNames: boolean): Record<string, string> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [lowerNames ? k.trim().toLowerCase() : k, v.trim()]));

/** The canonical object the key is made from (for display and for naming what differs). */
export function contentKeyParts(r: BenchPointRecord, opts: ContentKeyOptions = {}): ContentKeyParts {
  const withVersions = opts.withVersions ?? true;
  const h = r.hardware;
  const d = r.deployment;
  const parts: ContentKeyParts = {
    scheme: CONTENT_KEY_VERSION,
    model: text(r.model),
    hardware: { gpuModel: text(h?.gpuModel), gpusPerNode: num(h?.gpusPerNode), gpuMemoryMiB: num(h?.gpuMemoryMiB), efaDevices: num(h?.efaDevices) },
    deployment: {
      mode: d.mode, prefill: group(d.prefill), decode: group(d.decode), replicas: group(d.replicas), gpus: d.gpus,
      backend: d.backend ?? null, env: trimmed(d.env, false), variant: text(d.variant),
    },
    workload: { isl: r.workload.isl, osl: r.workload.osl, mode: r.workload.mode },
    load: { concurrency: num(r.load.concurrency), requestRate: num(r.load.requestRate), numPrompts: r.load.numPrompts },
  };
  if (withVersions) {
    parts.hardware.driverVersion = text(h?.driverVersion);
    parts.hardware.cudaVersion = text(h?.cudaVersion);
    parts.versions = trimmed(r.versions, true);
  }
  return parts;
}

/** JSON with object keys sorted at every level: equal content, equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

const UTF8 = new TextEncoder();

/**
 * FNV-1a, 64 bits, over the UTF-8 bytes of `s`, as 16 hex digits (an identity, not a secret:
 * not cryptographic). In two 32-bit halves (BigInt is ~20x slower): the prime is 2^40 + 0x1b3.
 */
export function fnv1a64(s: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of UTF8.encode(s)) {
    lo ^= byte;
    const t = (lo >>> 0) * 0x1b3; // < 2^41: exact in a double
    hi = (Math.imul(hi, 0x1b3) + Math.floor(t / 0x100000000) + ((lo << 8) | 0)) >>> 0;
    lo = t >>> 0;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/**
 * The record's content key: "v1-" and 16 hex digits (v1-… with versions, v1n-… without, so the
 * two kinds never compare equal by accident).
 */
export function contentKeyOf(r: BenchPointRecord, opts: ContentKeyOptions = {}): string {
  const withVersions = opts.withVersions ?? true;
  return `v${CONTENT_KEY_VERSION}${withVersions ? '' : 'n'}-${fnv1a64(canonicalJson(contentKeyParts(r, opts)))}`;
}

/**
 * What differs between two records' key parts, as "path: a → b" lines ("hardware.gpuMemoryMiB:
 * 81559 → unknown"); [] when the keys are equal. Tells a user why two points did not match.
 */
export function contentKeyDifferences(a: ContentKeyParts, b: ContentKeyParts): string[] {
  const out: string[] = [];
  const show = (v: unknown) => (v === null || v === undefined ? 'unknown' : typeof v === 'string' ? v : canonicalJson(v));
  const walk = (x: unknown, y: unknown, at: string) => {
    if (canonicalJson(x ?? null) === canonicalJson(y ?? null)) return;
    const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObj(x) && isObj(y)) {
      const keys = [...new Set([...Object.keys(x as object), ...Object.keys(y as object)])].sort();
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      return;
    }
    out.push(`${at}: ${show(x)} → ${show(y)}`);
  };
  walk(a, b, '');
  return out;
}
