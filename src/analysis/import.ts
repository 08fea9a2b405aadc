// One saved `vllm bench serve` JSON of an imported folder → a point record (pure: text in).
import { ParseError } from '../parse/errors.js';
import { parseVllmBenchResult } from '../parse/vllm-bench.js';
import { deploymentFromFolderName } from './folder-name.js';
import { hardwareOfImport, type ImportHardwareOptions } from './hardware.js';
import { knownBadFlagsOf, withFlags } from './known-bad.js';
import { pointFromBench } from './metrics.js';
import type { BenchLoad, BenchPointRecord } from './records.js';

export interface ImportedFile {
  /** The folder's name (or path): the deployment comes from it. */
  folder: string;
  /** e.g. "conc16.json", "conc32_rr1.json" */
  fileName: string;
  text: string;
  /** Recorded as rawResultPath. */
  path?: string;
  /** --deployment override (folder-name grammar). */
  deployment?: string;
  /** --gpu / --gpus-per-node: the hardware when the folder name does not say. */
  hardware?: ImportHardwareOptions;
  /** --versions: what the run used, when the user knows (an import cannot tell). */
  versions?: Record<string, string>;
}

export interface ImportOutcome {
  record?: BenchPointRecord;
  /** Set when the file was skipped (not a result, or not enough to record a failed point). */
  skipped?: string;
}

/** A point file name of the seed's scripts: conc<N>.json, rr<R>.json, conc<N>_rr<R>.json. */
const POINT_FILE = /^(?:conc(\d+))?_?(?:rr(\d+(?:\.\d+)?))?\.json$/i;

/**
 * A record for one file. A file that is not a benchmark result is skipped with the reason — but
 * when its name is a load point (conc16.json), it becomes a failed point, so the report shows it.
 * Folder-name errors are thrown (FolderNameError): they concern every file of the folder.
 */
export function importBenchFile(f: ImportedFile): ImportOutcome {
  const where = f.path ?? `${f.folder}/${f.fileName}`;
  const hardware = hardwareOfImport(baseName(f.folder), f.hardware);
  const fd = deploymentFromFolderName(f.folder, f.deployment, { gpusPerNode: hardware.gpusPerNode });
  // Known-bad stacks are flagged from what the import knows; unknown versions make them "suspect".
  const finish = (r: BenchPointRecord): BenchPointRecord => {
    const rec: BenchPointRecord = { ...r, hardware };
    if (f.versions && Object.keys(f.versions).length > 0) rec.versions = { ...f.versions };
    return withFlags(rec, knownBadFlagsOf(rec));
  };
  const workload = (isl: number, osl: number) => ({ isl, osl, mode: fd.workloadMode });
  const pointId = `${fd.deployment.id}/${f.fileName.replace(/\.json$/i, '')}`;
  const importedFrom = { folder: fd.deployment.id, file: f.fileName };
  try {
    const result = parseVllmBenchResult(f.text, where);
    const isl = fd.isl ?? (result.completed > 0 ? Math.round(result.totalInputTokens / result.completed) : undefined);
    const osl = fd.osl ?? (result.completed > 0 ? Math.round(result.totalOutputTokens / result.completed) : undefined);
    if (isl === undefined || osl === undefined) {
      return { skipped: `${where}: the folder name gives no itl<N>_otl<M> and no request completed to measure them; pass --deployment itl<N>_otl<M>_...` };
    }
    const rec = pointFromBench(result, {
      pointId,
      deployment: fd.deployment,
      workload: workload(isl, osl),
      timings: { startedAt: startedAt(result.date, result.duration), durationSec: result.duration },
      importedFrom,
      ...(f.path ? { rawResultPath: f.path } : {}),
    });
    return { record: finish(rec) };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    const point = POINT_FILE.exec(f.fileName);
    if (!point || (!point[1] && !point[2]) || fd.isl === undefined || fd.osl === undefined) return { skipped: err.message };
    const load: BenchLoad = { numPrompts: 0 };
    if (point[1]) load.concurrency = Number(point[1]);
    if (point[2]) load.requestRate = Number(point[2]);
    return {
      record: finish({
        pointId, deployment: fd.deployment, workload: workload(fd.isl, fd.osl), load, status: 'failed', reason: err.message,
        rawResultPath: where, importedFrom, timings: { startedAt: '', durationSec: 0 }, attempt: 1,
      }),
    };
  }
}

function baseName(folder: string): string {
  return folder.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? folder;
}

/**
 * vLLM's "date" (yyyymmdd-hhmmss, the client's local time, written when the run ended) minus the
 * duration, as ISO 8601 without a zone; "" when the date is missing or malformed.
 */
export function startedAt(date: string | undefined, durationSec: number): string {
  const m = date ? /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(date) : null;
  if (!m) return '';
  const end = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(end - Math.round(durationSec * 1000)).toISOString().slice(0, 19);
}
