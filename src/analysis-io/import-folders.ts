// Reads folders of saved `vllm bench serve` JSON (a user's old runs of the seed's scripts) into
// point records. A folder holding JSON files is one deployment; a folder of such folders is many.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { importBenchFile, type BenchPointRecord, type ImportHardwareOptions } from '../analysis/index.js';

export interface ImportResult {
  records: BenchPointRecord[];
  /** Files skipped, each with the reason. */
  skipped: string[];
  /** Per folder read: how many ok points it gave, and why each of its files gave none. */
  folders: ImportedFolder[];
}

export interface ImportedFolder {
  folder: string;
  ok: number;
  /** "<file>: <why>" for every skipped file and failed point of the folder. */
  problems: string[];
  /** The skipped files' reasons alone (a subset of problems). */
  skipped: string[];
}

export interface ImportOptions {
  deployment?: string;
  hardware?: ImportHardwareOptions;
  versions?: Record<string, string>;
}

export class ImportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportInputError';
  }
}

export async function importBenchFolders(dirs: string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const out: ImportResult = { records: [], skipped: [], folders: [] };
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) throw new ImportInputError(`${dir}: no such file or folder`);
    const folders = info.isDirectory() ? await benchFolders(dir) : [{ folder: path.dirname(dir), files: [path.basename(dir)] }];
    if (folders.length === 0) throw new ImportInputError(`${dir}: no .json files in it or in its sub-folders (expected folders of vllm bench serve results)`);
    for (const { folder, files } of folders) {
      const seen: ImportedFolder = { folder, ok: 0, problems: [], skipped: [] };
      out.folders.push(seen);
      for (const name of files.sort(byLoad)) {
        const file = path.join(folder, name);
        const outcome = importBenchFile({
          folder, fileName: name, text: await readFile(file, 'utf8'), path: file,
          ...(opts.deployment ? { deployment: opts.deployment } : {}),
          ...(opts.hardware ? { hardware: opts.hardware } : {}),
          ...(opts.versions ? { versions: opts.versions } : {}),
        });
        if (outcome.record) out.records.push(outcome.record);
        if (outcome.record?.status === 'ok') seen.ok++;
        else if (outcome.record) seen.problems.push(`${file}: ${outcome.record.reason ?? 'failed point'}`);
        if (outcome.skipped) {
          out.skipped.push(outcome.skipped);
          seen.skipped.push(outcome.skipped);
          seen.problems.push(outcome.skipped.includes(file) ? outcome.skipped : `${file}: ${outcome.skipped}`);
        }
      }
    }
  }
  return out;
}

async function benchFolders(dir: string): Promise<Array<{ folder: string; files: string[] }>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const json = entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name);
  if (json.length > 0) return [{ folder: dir, files: json }];
  const subs: Array<{ folder: string; files: string[] }> = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = path.join(dir, e.name);
    const files = (await readdir(folder, { withFileTypes: true })).filter((x) => x.isFile() && x.name.endsWith('.json')).map((x) => x.name);
    if (files.length > 0) subs.push({ folder, files });
  }
  return subs;
}

/** conc4 before conc16, rr1 before rr10; others by name. */
function byLoad(a: string, b: string): number {
  const key = (s: string) => (s.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return a.localeCompare(b);
}
