// report.html: report.md's text and tables with every plot as an interactive chart (the same
// Vega-Lite specs the SVGs are rendered from; vega-embed adds tooltips). One file that works
// offline: vega, vega-lite and vega-embed are inlined, the specs are JSON in the page. Pure: the
// caller reads the libraries.
import { escapeHtml, markdownToHtml } from './markdown-html.js';
import type { PlotSpec } from './plots.js';

/** The browser builds (UMD) of the three libraries, in load order. */
export interface VegaLibraries {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

/**
 * Code safe inside <script>: "</script" would end the element early, so it becomes "<\/script"
 * (the same string in JS string, template and regex literals). "<!--" can change how the HTML
 * parser finds the end and has no context-free rewrite: such code is refused.
 */
export function inlineScript(code: string): string {
  if (/<!--/.test(code)) throw new Error('a script to inline contains "<!--"; it cannot be inlined safely');
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON safe inside <script type="application/json">: every "<" escaped, so no data ends it. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

// Renders every chart as SVG (marks are DOM nodes: selectable, crisp when zoomed), records the
// outcome on its element, and keeps the views for a reader's console (window.pdflowCharts).
const EMBED = `
const specs = JSON.parse(document.getElementById('pdflow-specs').textContent);
window.pdflowCharts = Promise.all(Object.entries(specs).map(async ([id, spec]) => {
  const el = document.getElementById(id);
  try {
    const r = await vegaEmbed(el, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
    el.dataset.rendered = 'ok';
    return r.view;
  } catch (err) {
    el.dataset.rendered = 'error';
    el.textContent = 'Chart not rendered: ' + err.message;
    console.error(err);
    return undefined;
  }
}));
`;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 1em 2em; max-width: 1400px; color: #222; }
h1 { margin-top: 0; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
nav ul { columns: 2; } nav li { margin: .1em 0; }
table { border-collapse: collapse; margin: .5em 0 1em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } th.num, td.num { text-align: right; }
tr.frontier td { background: #eef7ee; }
tr.flagged td, li.flagged { background: #fff3cd; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure.chart { margin: 0; padding: .5em; border: 1px solid #e3e3e3; border-radius: 4px; }
figcaption { font-size: 12px; color: #555; }
`;

/** The page for a report: `markdown` is report.md, `plots` the specs of the plots it shows (by file). */
export function renderReportHtml(title: string, markdown: string, plots: PlotSpec[], libs: VegaLibraries): string {
  const byFile = new Map(plots.map((p) => [p.file, p]));
  const specs: Record<string, unknown> = {};
  const { html, headings } = markdownToHtml(markdown, (alt, file) => {
    const p = byFile.get(file);
    // A plot without a spec (none today) still shows, as its SVG.
    if (!p) return `<p><img src="${escapeHtml(file)}" alt="${escapeHtml(alt)}"></p>`;
    const id = `chart-${Object.keys(specs).length + 1}`;
    specs[id] = p.spec;
    return `<figure class="chart" data-workload="${escapeHtml(p.workloadKey)}" data-file="${escapeHtml(file)}">` +
      `<div class="vega" id="${id}" role="img" aria-label="${escapeHtml(p.title)}"></div>` +
      `<noscript><img src="${escapeHtml(file)}" alt="${escapeHtml(alt)}"></noscript>` +
      `<figcaption>${escapeHtml(p.title)} · <a href="${escapeHtml(file)}">SVG</a></figcaption></figure>`;
  });
  const toc = headings.filter((h) => h.level === 2)
    .map((h) => `<li><a href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a></li>`).join('\n');
  // Consecutive charts of a workload sit side by side; the contents go under the title.
  const body = html
    .replace(/(<figure class="chart"[^\n]*<\/figure>\n?)+/g, (m) => `<div class="charts">\n${m.trimEnd()}\n</div>\n`)
    .replace(/<\/h1>/, () => (toc ? `</h1>\n<nav><ul>\n${toc}\n</ul></nav>` : '</h1>'));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    `<script>${inlineScript(libs.vega)}</script>`,
    `<script>${inlineScript(libs.vegaLite)}</script>`,
    `<script>${inlineScript(libs.vegaEmbed)}</script>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    `<script type="application/json" id="pdflow-specs">${inlineJson(specs)}</script>`,
    `<script>${EMBED}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
