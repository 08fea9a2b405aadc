// Writes a results folder: results.csv, results.jsonl, summary.json, report.md, plots/**.svg and
// report.html (report.md with interactive charts).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { outputFiles } from './output-files.js';
import {
  buildResultsSummary, plotSpecs, renderMarkdown, renderReportHtml, summaryForJson, toCsv, toJsonl,
  type BenchPointRecord, type PlotSpec, type ReportOptions, type ResultsSummary,
} from '../analysis/index.js';
import { readVegaLibraries } from './vega-libraries.js';

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
  const { files, put } = outputFiles(dir);
  const warnings: string[] = [];

  await put('results.csv', toCsv(records, summary.statusByPoint));
  await put('results.jsonl', toJsonl(records));
  await put('summary.json', JSON.stringify(summaryForJson(summary), null, 2) + '\n');
  const plots: PlotSpec[] = [];
  // vega (~0.6 s to load) only when plots are drawn, never with the CLI's other commands.
  const { renderSvg } = await import('./render-svg.js');
  for (const p of plotSpecs(summary)) {
    try {
      await put(p.file, await renderSvg(p.spec));
      plots.push(p);
    } catch (err) {
      warnings.push(`plot ${p.file} not rendered: ${(err as Error).message}`);
    }
  }
  const md = renderMarkdown(summary, plots.map(({ file, title, workloadKey }) => ({ file, title, workloadKey })));
  await put('report.md', md);
  try {
    await put('report.html', renderReportHtml(summary.title, md, plots, await readVegaLibraries()));
  } catch (err) {
    warnings.push(`report.html not written: ${(err as Error).message}`);
  }
  return { dir, files, summary, warnings };
}
