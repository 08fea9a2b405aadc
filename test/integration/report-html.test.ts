// report.html in a real browser, offline: a report written from the real vllm-bench fixtures (an
// H200 group with a LIBFABRIC run the known-bad table flags, an H100 group without flags) is opened
// from file:// in headless Chromium (Debian's `chromium`, driven by playwright-core) with every
// non-file request aborted. It must render every chart of every workload×hardware group without a
// console error, mark the flagged points in the charts and the tables, highlight the frontier, and
// show a tooltip with the deployment and the load on hover. No servers: quick. A screenshot stays
// in test-output/report-html/ (gitignored).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { plotSpecs, type ResultsSummary } from '../../src/analysis/index.js';
import { importBenchFolders, writeReport } from '../../src/analysis-io/index.js';
import { BENCH_DIR, COLLOCATED_4X2, PACK, PD_1P2_2D2, SPREAD_UCX120 } from '../unit/helpers/bench-fixtures.js';
import { root } from '../helpers/cli.js';

const CHROMIUM = process.env.PDFLOW_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (\`apt-get install chromium\`; scripts/bootstrap.sh --browser does it as root) or set PDFLOW_CHROMIUM`;
const shots = path.join(root, 'test-output/report-html');
// A title that would run as script if the page inlined it unescaped.
const TITLE = 'Overnight </script><script>window.pwned = 1</script> <b>results</b>';
const LIBFABRIC = 'gptoss_H200_itl5000_otl250_mixed_1xtp4-1xtp4-spread-libfabric';

let tmp: string;
let summary: ResultsSummary;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const blocked: string[] = [];

before(async () => {
  if (skip) return;
  tmp = await mkdtemp(path.join(tmpdir(), 'pdflow-report-html-'));
  const input = path.join(tmp, 'in');
  // Folder names as a user keeps them: the GPU in the name, the LIBFABRIC run a renamed real run.
  const folders: Array<[string, string]> = [
    [PACK, 'gptoss_H200_itl5000_otl250_mixed_1xtp4-1xtp4'],
    [PD_1P2_2D2, 'gptoss_H200_itl5000_otl250_mixed_1xtp2-2xtp2'],
    [PACK, LIBFABRIC],
    [SPREAD_UCX120, 'gptoss_H100_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120'],
    [COLLOCATED_4X2, 'gptoss_H100_itl5000_otl250_mixed_4xtp2'],
  ];
  for (const [from, to] of folders) await cp(path.join(BENCH_DIR, from), path.join(input, to), { recursive: true });
  const { records } = await importBenchFolders([input]);
  const written = await writeReport(records, { title: TITLE }, path.join(tmp, 'report'));
  assert.deepEqual(written.warnings, []);
  assert.ok(written.files.includes('report.html'));
  summary = written.summary;

  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }); // root in CI: no user namespaces
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // Offline: anything but the file itself is refused (and remembered, so the test can fail on it).
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(pathToFileURL(path.join(tmp, 'report', 'report.html')).href);
  // (A string: page code, and this project compiles without the DOM's types.)
  await page.waitForFunction("[...document.querySelectorAll('.vega')].every((e) => e.dataset.rendered)", undefined, { timeout: 60_000 });
});

after(async () => {
  await browser?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The aria labels of a chart's point marks (vega-lite describes each mark by its tooltip fields). */
function pointLabels(figure: string): Promise<string[]> {
  return page.$$eval(`${figure} svg.marks .mark-symbol.role-mark path`, (ps) => ps.map((p) => p.getAttribute('aria-label') ?? ''));
}

const figureOf = (workloadKey: string, plot: string) => `figure[data-file="plots/${workloadKey}/${plot}.svg"]`;
const legendText = async (figure: string) => (await page.locator(`${figure} .role-legend`).allTextContents()).join(' | ');

describe('report.html opened offline from file://', { skip }, () => {
  it('renders with no console error, no request off the machine, and the title as text', async () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(blocked, []);
    assert.equal(await page.evaluate('window.pwned'), undefined);
    assert.equal(await page.textContent('h1'), TITLE);
    assert.equal(await page.title(), TITLE);
  });

  it('shows every chart of each workload×hardware group, each an SVG with marks', async () => {
    const keys = summary.workloads.map((w) => w.key).sort();
    assert.deepEqual(keys, ['isl5000-osl250-mixed-h100', 'isl5000-osl250-mixed-h200']);
    const want = plotSpecs(summary);
    const figures = await page.$$eval('figure.chart', (fs) => fs.map((f) => ({
      workload: f.getAttribute('data-workload'),
      file: f.getAttribute('data-file'),
      rendered: f.querySelector('.vega')?.getAttribute('data-rendered'),
      marks: f.querySelectorAll('svg.marks .mark-symbol.role-mark path').length,
    })));
    assert.deepEqual(figures.map((f) => f.file), want.map((p) => p.file));
    for (const k of keys) assert.ok(figures.filter((f) => f.workload === k).some((f) => f.file?.endsWith('/pareto.svg')), `${k} has its pareto chart`);
    for (const [i, f] of figures.entries()) {
      assert.equal(f.rendered, 'ok', f.file!);
      const values = (want[i]!.spec as { data: { values: unknown[] } }).data.values.length;
      assert.equal(f.marks, values, `${f.file}: one point per data row`);
    }
    // Each chart sits in its own group's section: the H100 charts name no H200 deployment.
    const h100 = await pointLabels(figureOf('isl5000-osl250-mixed-h100', 'pareto'));
    assert.ok(h100.length > 0 && h100.every((l) => !/spread-libfabric/.test(l)));
    await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });
  });

  it('marks the flagged points in the charts: hollow markers, the "flagged" shape and the ⚠ dash legend', async () => {
    const pareto = figureOf('isl5000-osl250-mixed-h200', 'pareto');
    const labels = await pointLabels(pareto);
    const flagged = labels.filter((l) => /flags: suspect: NIXL backend LIBFABRIC/.test(l));
    assert.equal(flagged.length, 7);
    assert.ok(flagged.every((l) => /frontier: flagged/.test(l)), flagged[0]);
    // Hollow: the flagged layer's markers are stroked, not filled.
    const fills = await page.$$eval(`${pareto} svg.marks .mark-symbol.role-mark path`, (ps) => ps
      .filter((p) => /flags: suspect/.test(p.getAttribute('aria-label') ?? ''))
      .map((p) => p.getAttribute('fill')));
    assert.ok(fills.every((f) => f === 'transparent' || f === 'none'), fills.join(','));
    assert.match(await legendText(pareto), /flagged/);
    const tpot = figureOf('isl5000-osl250-mixed-h200', 'tpot-vs-concurrency');
    assert.match(await legendText(tpot), /Flagged \(⚠\)/);
    // The unflagged group's plots carry no flag legend.
    assert.doesNotMatch(await page.textContent(figureOf('isl5000-osl250-mixed-h100', 'tpot-vs-concurrency')) ?? '', /Flagged/);
  });

  it('highlights the frontier: its points named in the legend and joined by a line', async () => {
    const pareto = figureOf('isl5000-osl250-mixed-h200', 'pareto');
    const labels = await pointLabels(pareto);
    const frontier = summary.workloads.find((w) => w.key === 'isl5000-osl250-mixed-h200')!.points.filter((p) => p.status === 'frontier').length;
    assert.ok(frontier > 0);
    assert.equal(labels.filter((l) => /frontier: frontier/.test(l)).length, frontier);
    assert.match(await legendText(pareto), /frontier/);
    assert.equal(await page.locator(`${pareto} svg.marks .mark-line.role-mark path`).count(), 1);
  });

  it('lists the flagged points as flagged in the tables', async () => {
    assert.match(await page.textContent('#flagged-points') ?? '', /Flagged points/);
    assert.ok(await page.locator('li.flagged a[href="https://github.com/vllm-project/vllm/issues/27055"]').count() > 0);
    // The "All points" table: the seven LIBFABRIC rows marked ⚠ and styled as flagged, no other.
    const rows = await page.$$eval('table tr.flagged', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.equal(rows.length, 7, JSON.stringify(rows.slice(0, 3)));
    assert.ok(rows.every((r) => r[0] === '⚠' && r[1] === '1P-TP4:1D-TP4 pd-spread [spread-libfabric] ⚠'), JSON.stringify(rows[0]));
    // And never on the frontier table (★/≈ rows only).
    const frontierRows = await page.$$eval('table', (ts) => ts.flatMap((t) => [...t.querySelectorAll('tbody tr')].map((tr) => tr.textContent ?? '')));
    assert.ok(!frontierRows.some((t) => t.startsWith('★') && t.includes('libfabric')));
  });

  it('shows a tooltip with the deployment and the load on hover', async () => {
    const pareto = figureOf('isl5000-osl250-mixed-h200', 'pareto');
    const cases: Array<{ label: string; expect: RegExp[] }> = [
      // (Not the pd-pack run: its LIBFABRIC copy's markers lie on top of its own.)
      { label: 'deployment: 1P-TP2:2D-TP2 pd-pack; load: conc 16;', expect: [/1P-TP2:2D-TP2 pd-pack/, /conc 16/, /out tok\/s\/GPU/, /frontier/] },
      { label: 'deployment: 1P-TP4:1D-TP4 pd-spread [spread-libfabric] ⚠; load: conc 64;', expect: [/spread-libfabric/, /conc 64/, /suspect: NIXL backend LIBFABRIC/] },
    ];
    for (const [i, c] of cases.entries()) {
      const point = page.locator(`${pareto} svg.marks .mark-symbol.role-mark path[aria-label*="; ${c.label}"]`);
      assert.equal(await point.count(), 1, c.label);
      await point.hover();
      const tip = page.locator('#vg-tooltip-element.visible');
      await tip.waitFor({ timeout: 5000 });
      const text = (await tip.textContent()) ?? '';
      await page.screenshot({ path: path.join(shots, `tooltip-${i + 1}.png`) });
      for (const re of c.expect) assert.match(text, re);
      await page.mouse.move(0, 0);
      await tip.waitFor({ state: 'hidden', timeout: 5000 });
    }
  });
});
