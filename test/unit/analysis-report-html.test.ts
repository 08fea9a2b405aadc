// report.html's builder: report.md's blocks as escaped HTML, inlined scripts and data that cannot
// end their <script> element, and one set of charts per workload×hardware group, each in its
// group's section, from the same specs as the SVGs. (The browser side: integration/report-html.)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildResultsSummary, escapeHtml, inlineHtml, inlineJson, inlineScript, markdownToHtml, plotSpecs, renderMarkdown,
  renderReportHtml, type BenchPointRecord,
} from '../../src/analysis/index.js';
import { markdownTable } from '../../src/analysis/text-table.js';
import { importBenchFolders, readVegaLibraries } from '../../src/analysis-io/index.js';
import { BENCH_DIR, PACK, SPREAD_UCX120 } from './helpers/bench-fixtures.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'pdflow-report-html-'));
after(() => rm(tmp, { recursive: true, force: true }));

const HOSTILE = '</script><script>alert(1)</script><!-- & "x" \'y\'';

describe('escaping', () => {
  it('escapes text for elements and attributes', () => {
    assert.equal(escapeHtml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
  it('links bare URLs and escapes the rest', () => {
    assert.equal(inlineHtml('see https://github.com/vllm-project/vllm/issues/27055) <b>'),
      'see <a href="https://github.com/vllm-project/vllm/issues/27055">https://github.com/vllm-project/vllm/issues/27055</a>) &lt;b&gt;');
  });
  it('JSON for a script element holds no "<" and reads back the same', () => {
    const value = { name: HOSTILE, line: 'a\u2028b' };
    const text = inlineJson(value);
    assert.ok(!text.includes('<'), text);
    assert.deepEqual(JSON.parse(text), value);
  });
  it('a script with "</script" in a string still means the same; one with "<!--" is refused', () => {
    const code = 'return ["</script>", "</SCRIPT >", /<\\/script>/.source];';
    const safe = inlineScript(code);
    assert.ok(!/<\/script/i.test(safe), safe);
    assert.deepEqual(new Function(safe)(), new Function(code)());
    assert.throws(() => inlineScript('var s = "<!--";'), /cannot be inlined safely/);
  });
});

describe('markdownToHtml', () => {
  const md = [
    '# Title <x>', '', 'A note with <b>.', 'continued', '',
    '## ⚠ Flagged points', '', '- ⚠ dep (1 point): suspect: reason (https://example.com/a?b=1&c=2)', '- plain', '',
    '## Group', '', '### Table', '',
    markdownTable(['', 'deployment', 'n'], [['★', 'a | b', '1'], ['⚠', `${HOSTILE} ⚠`, '2'], ['', 'back\\slash', '3']], ['l', 'l', 'r']), '',
    '![Chart <1>](plots/g/pareto.svg)', '',
    '## Group', '',
  ].join('\n');
  const images: Array<[string, string]> = [];
  const { html, headings } = markdownToHtml(md, (t, f) => { images.push([t, f]); return '<figure>chart</figure>'; });

  it('turns headings, paragraphs and lists into elements, with unique ids', () => {
    assert.match(html, /^<h1 id="title-x">Title &lt;x&gt;<\/h1>\n<p>A note with &lt;b&gt;\. continued<\/p>/);
    assert.deepEqual(headings.map((h) => h.id), ['title-x', 'flagged-points', 'group', 'table', 'group-2']);
    assert.match(html, /<li class="flagged">⚠ dep \(1 point\): suspect: reason \(<a href="https:\/\/example\.com\/a\?b=1&amp;c=2">https:\/\/example\.com\/a\?b=1&amp;c=2<\/a>\)<\/li>\n<li>plain<\/li>/);
  });
  it('keeps the table\'s cells (an escaped bar is a bar), alignment, and marks frontier and flagged rows', () => {
    assert.match(html, /<thead><tr><th><\/th><th>deployment<\/th><th class="num">n<\/th><\/tr><\/thead>/);
    assert.match(html, /<tr class="frontier"><td>★<\/td><td>a \| b<\/td><td class="num">1<\/td><\/tr>/);
    assert.match(html, /<tr class="flagged"><td>⚠<\/td><td>&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;!-- &amp; &quot;x&quot; &#39;y&#39; ⚠<\/td>/);
    assert.match(html, /<tr><td><\/td><td>back\\slash<\/td><td class="num">3<\/td><\/tr>/);
    assert.ok(!html.includes('<script'), 'no markup from the data');
  });
  it('hands image lines to the caller', () => {
    assert.deepEqual(images, [['Chart <1>', 'plots/g/pareto.svg']]);
    assert.match(html, /<figure>chart<\/figure>/);
  });
});

describe('renderReportHtml', async () => {
  // Two GPUs of the same config and a flagged run with a name that would break a naive page.
  const input = path.join(tmp, 'in');
  for (const [from, to] of [
    [PACK, 'gptoss_H200_itl5000_otl250_mixed_1xtp4-1xtp4'],
    [PACK, 'gptoss_H200_itl5000_otl250_mixed_1xtp4-1xtp4-spread-libfabric'],
    [SPREAD_UCX120, 'gptoss_H100_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120'],
  ] as const) await cp(path.join(BENCH_DIR, from), path.join(input, to), { recursive: true });
  const imported = (await importBenchFolders([input])).records;
  const records: BenchPointRecord[] = imported.map((r) => r.flags ? { ...r, deployment: { ...r.deployment, name: `${r.deployment.name} ${HOSTILE}` } } : r);
  const summary = buildResultsSummary(records, { title: `Results ${HOSTILE}` });
  const plots = plotSpecs(summary);
  const md = renderMarkdown(summary, plots);
  const libs = await readVegaLibraries();
  const page = renderReportHtml(summary.title, md, plots, libs);
  const specsJson = /<script type="application\/json" id="pdflow-specs">([^<]*)<\/script>/.exec(page)?.[1];

  it('inlines vega, vega-lite and vega-embed: no script or stylesheet from anywhere', () => {
    assert.ok(libs.vega.length > 100_000 && libs.vegaLite.length > 100_000 && libs.vegaEmbed.length > 10_000);
    assert.ok(page.includes(libs.vegaEmbed.slice(0, 200)));
    assert.ok(!/<script[^>]+src=|<link[^>]+href=/i.test(page));
  });
  it('no data ends a script element early: one "</script>" per script', () => {
    const opened = page.match(/<script[ >]/g)!.length;
    assert.equal(opened, 5, 'three libraries, the specs, the embedding code');
    assert.equal(page.match(/<\/script>/gi)!.length, opened);
    assert.match(page, /<title>Results &lt;\/script&gt;/);
  });
  it('one set of charts per workload×hardware group, in its own section, from the SVGs\' specs', () => {
    assert.deepEqual(summary.workloads.map((w) => w.key), ['isl5000-osl250-mixed-h100', 'isl5000-osl250-mixed-h200']);
    const specs = JSON.parse(specsJson!) as Record<string, unknown>;
    const figures = [...page.matchAll(/<figure class="chart" data-workload="([^"]+)" data-file="([^"]+)"><div class="vega" id="([^"]+)"/g)];
    assert.deepEqual(figures.map((m) => m[2]), plots.map((p) => p.file));
    assert.deepEqual(Object.keys(specs), figures.map((m) => m[3]));
    for (const [i, m] of figures.entries()) assert.deepEqual(specs[m[3]!], JSON.parse(JSON.stringify(plots[i]!.spec)));
    for (const w of summary.workloads) {
      const mine = figures.filter((m) => m[1] === w.key);
      assert.ok(mine.some((m) => m[2]!.endsWith('/pareto.svg')), w.key);
      // Between the group's heading and the next one.
      const start = page.indexOf(`>${escapeHtml(w.label)}</h2>`);
      const end = page.indexOf('<h2', start);
      assert.ok(start > 0 && mine.every((m) => m.index > start && m.index < end), w.key);
    }
  });
  it('the flagged points: in the specs\' data (hollow, "flagged"), and ⚠ rows in the tables', () => {
    const h200 = plots.find((p) => p.file === 'plots/isl5000-osl250-mixed-h200/pareto.svg')!;
    const values = (h200.spec as { data: { values: Array<{ flagged: boolean; status: string; loadLabel: string; deployment: string }> } }).data.values;
    assert.equal(values.filter((v) => v.flagged && v.status === 'flagged').length, 7);
    assert.ok(values.every((v) => v.loadLabel.startsWith('conc ')));
    assert.equal(page.match(/<tr class="flagged"><td>⚠<\/td><td>1P-TP4:1D-TP4 pd-spread \[spread-libfabric\] &lt;\/script&gt;/g)?.length, 7);
  });
});
