// Writes a comparison folder: compare.md (the report section, standing alone), compare.json and the
// overlay plots (plots/compare/<group>.svg).
import path from 'node:path';
import { outputFiles } from './output-files.js';
import { comparisonForJson, type RunComparison } from '../analysis/compare.js';
import { renderCompareMarkdown, type ComparePlotRef } from '../analysis/compare-markdown.js';
import { comparePlotSpecs } from '../analysis/compare-plot.js';
import type { CompareNames } from '../analysis/compare-terminal.js';

export interface WrittenCompare {
  dir: string;
  /** Relative to dir, in the order written. */
  files: string[];
  /** Plots that could not be rendered (the rest is written regardless). */
  warnings: string[];
}

export async function writeCompare(c: RunComparison, names: CompareNames, outDir: string): Promise<WrittenCompare> {
  const dir = path.resolve(outDir);
  const { files, put } = outputFiles(dir);
  const warnings: string[] = [];
  const plots: ComparePlotRef[] = [];
  // vega (~0.6 s to load) only when plots are drawn.
  const { renderSvg } = await import('./render-svg.js');
  for (const p of comparePlotSpecs(c, names)) {
    try {
      await put(p.file, await renderSvg(p.spec));
      plots.push({ file: p.file, title: p.title, group: p.group });
    } catch (err) {
      warnings.push(`plot ${p.file} not rendered: ${(err as Error).message}`);
    }
  }
  await put('compare.md', `# ${names.b} against ${names.a}\n\n${renderCompareMarkdown(c, names, plots)}`);
  await put('compare.json', JSON.stringify(comparisonForJson(c, names), null, 2) + '\n');
  return { dir, files, warnings };
}
