// Writes results in the seed's layout: one folder per deployment and workload, one raw
// `vllm bench serve` JSON per point, byte for byte as vLLM saved it (names: analysis/seed-layout).
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { seedLayout, type BenchPointRecord } from '../analysis/index.js';

export interface WrittenSeedLayout {
  dir: string;
  /** `<folder>/<file>` relative to dir, in the order written. */
  files: string[];
  /** Points with no file written, each with the reason. */
  skipped: string[];
}

/** The worker-local copy of a point's raw JSON, if there is one (runs before localResultPath kept it in logPath). */
async function rawFileOf(r: BenchPointRecord): Promise<string | undefined> {
  for (const p of [r.localResultPath, r.rawResultPath, r.logPath?.endsWith('.json') ? r.logPath : undefined]) {
    if (p && (await stat(p).catch(() => undefined))?.isFile()) return p;
  }
  return undefined;
}

export async function writeSeedLayout(records: BenchPointRecord[], outDir: string): Promise<WrittenSeedLayout> {
  const dir = path.resolve(outDir);
  const { paths } = seedLayout(records);
  const out: WrittenSeedLayout = { dir, files: [], skipped: [] };
  for (const r of records) {
    const at = paths.get(r.pointId)!;
    const rel = `${at.folder}/${at.file}`;
    if (out.files.includes(rel)) {
      out.skipped.push(`${r.pointId}: another point already went to ${rel} (two imported folders of the same name?)`);
      continue;
    }
    const raw = await rawFileOf(r);
    if (!raw) {
      out.skipped.push(r.status !== 'ok' && !r.rawResultPath
        ? `${r.pointId}: failed before vllm bench serve saved a result (${r.reason ?? 'no reason recorded'})`
        : `${r.pointId}: its raw JSON is not on this machine (${r.localResultPath ?? r.rawResultPath ?? 'no path recorded'}); ` +
        'run `pdflow results` where the worker ran, or copy the file from the head node');
      continue;
    }
    await mkdir(path.join(dir, at.folder), { recursive: true });
    await copyFile(raw, path.join(dir, at.folder, at.file));
    out.files.push(rel);
  }
  return out;
}
