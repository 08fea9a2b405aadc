// Writes a results folder: results.csv, results.jsonl, summary.json, report.md and plots/**.svg.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildResultsSummary, plotSpecs, renderMarkdown, summaryForJson, toCsv, toJsonl,
  type BenchPointRecord, type PlotRef, type ReportOptions, type ResultsSummary,
} from '../analysis/index.js';

export interface WrittenReport {
  dir: string;
  /** Paths relative to dir, in the order written. */
  files: string[];
  summary: ResultsSummary;
  /** Plots that could not be rendered (the data files are written regardless). */
  warnings: string[];
}

export async function writeReport(records: BenchPointRecord[], opts: ReportOptions, outDir: string): Promise<WrittenReport> {
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  const summary = buildResultsSummary(records, opts);
  const files: string[] = [];
  const warnings: string[] = [];
  const put = async (rel: string, text: string) => {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    files.push(rel);
  };

  await put('results.csv', toCsv(records, summary.statusByPoint));
  await put('results.jsonl', toJsonl(records));
  await put('summary.json', JSON.stringify(summaryForJson(summary), null, 2) + '\n');
  const plots: PlotRef[] = [];
  // vega (~0.6 s to load) only when plots are drawn, never with the CLI's other commands.
  const { renderSvg } = await import('./render-svg.js');
  for (const p of plotSpecs(summary)) {
    try {
      await put(p.file, await renderSvg(p.spec));
      plots.push({ file: p.file, title: p.title, workloadKey: p.workloadKey });
    } catch (err) {
      warnings.push(`plot ${p.file} not rendered: ${(err as Error).message}`);
    }
  }
  await put('report.md', renderMarkdown(summary, plots));
  return { dir, files, summary, warnings };
}
