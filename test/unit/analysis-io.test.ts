import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { importBenchFolders, ImportInputError, writeReport } from '../../src/analysis-io/index.js';
import { FolderNameError } from '../../src/analysis/index.js';
import { registerResults } from '../../src/cli/commands/results.js';
import { BadInputError } from '../../src/cli/errors.js';
import { BENCH_DIR, PACK, SPREAD_BROKEN } from './helpers/bench-fixtures.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'pdflow-analysis-io-'));
after(() => rm(tmp, { recursive: true, force: true }));

describe('importBenchFolders', () => {
  it('reads a folder of deployment folders', async () => {
    const r = await importBenchFolders([BENCH_DIR]);
    assert.equal(r.records.length, 35);
    assert.deepEqual(r.skipped, []);
    const pack = r.records.filter((x) => x.deployment.id === PACK).map((x) => x.load.concurrency);
    assert.deepEqual(pack, [4, 8, 16, 32, 48, 64, 128]);
  });
  it('reads single deployment folders and single files', async () => {
    const r = await importBenchFolders([path.join(BENCH_DIR, SPREAD_BROKEN), path.join(BENCH_DIR, PACK, 'conc16.json')]);
    assert.equal(r.records.length, 7);
  });
  it('records a broken point file as failed and skips a non-result file', async () => {
    const dir = path.join(tmp, 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120');
    await cp(path.join(BENCH_DIR, 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120'), dir, { recursive: true });
    await writeFile(path.join(dir, 'conc128.json'), '{"date": "20251017-0');
    await writeFile(path.join(dir, 'notes.json'), '{"who": "me"}');
    const r = await importBenchFolders([dir]);
    assert.equal(r.records.length, 7);
    const broken = r.records.find((x) => x.load.concurrency === 128)!;
    assert.equal(broken.status, 'failed');
    assert.match(broken.reason!, /conc128\.json is not valid JSON/);
    assert.equal(r.skipped.length, 1);
    assert.match(r.skipped[0]!, /notes\.json is not a vllm bench serve result/);
  });
  it('refuses a missing folder, an empty one, and a folder name without a deployment', async () => {
    await assert.rejects(importBenchFolders([path.join(tmp, 'nope')]), (e: unknown) => e instanceof ImportInputError && /no such file or folder/.test((e as Error).message));
    await mkdir(path.join(tmp, 'empty'));
    await assert.rejects(importBenchFolders([path.join(tmp, 'empty')]), /no \.json files/);
    const odd = path.join(tmp, 'monday-run');
    await mkdir(odd);
    await writeFile(path.join(odd, 'conc16.json'), await readFile(path.join(BENCH_DIR, PACK, 'conc16.json')));
    await assert.rejects(importBenchFolders([odd]), FolderNameError);
    const r = await importBenchFolders([odd], { deployment: '1xtp4-1xtp4' });
    assert.equal(r.records[0]!.deployment.name, '1P-TP4:1D-TP4 pd-pack');
    assert.equal(r.records[0]!.workload.isl, 5000);
  });
});

describe('writeReport', () => {
  it('writes CSV, JSONL, summary, Markdown and rendered SVG plots', async () => {
    const { records } = await importBenchFolders([BENCH_DIR]);
    const out = path.join(tmp, 'report');
    const w = await writeReport(records, { title: 'fixtures' }, out);
    assert.deepEqual(w.warnings, []);
    assert.deepEqual(w.files.filter((f) => !f.endsWith('.svg')), ['results.csv', 'results.jsonl', 'summary.json', 'report.md', 'report.html']);
    assert.equal(w.files.filter((f) => f.endsWith('.svg')).length, 6);
    const svg = await readFile(path.join(out, 'plots/isl5000-osl250-mixed/pareto.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /1P-TP4:1D-TP4 pd-spread \[spread-ucx120\]/);
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    assert.match(md, /^# fixtures\n/);
    assert.match(md, /!\[Pareto frontier: output throughput per GPU vs interactivity — ISL 5000 \/ OSL 250 \(mixed\)\]\(plots\/isl5000-osl250-mixed\/pareto\.svg\)/);
    assert.equal((await readFile(path.join(out, 'results.jsonl'), 'utf8')).trimEnd().split('\n').length, 35);
  });
});

describe('pdflow results --import', () => {
  async function run(args: string[]): Promise<string> {
    const program = new Command('pdflow').exitOverride();
    const chunks: string[] = [];
    registerResults(program, { out: (t) => chunks.push(t), err: () => undefined });
    await program.parseAsync(['results', ...args], { from: 'user' });
    return chunks.join('');
  }

  it('prints JSON with the frontier and the records', async () => {
    const out = JSON.parse(await run(['--import', BENCH_DIR, '--format', 'json'])) as { summary: { workloads: Array<{ frontier: Array<{ deploymentId: string }> }> }; records: unknown[] };
    assert.equal(out.records.length, 35);
    assert.ok(!out.summary.workloads[0]!.frontier.some((p) => p.deploymentId === SPREAD_BROKEN));
  });
  it('prints CSV and writes the report folder with --out', async () => {
    const dir = path.join(tmp, 'cli-out');
    const csv = await run(['--import', path.join(BENCH_DIR, PACK), '--format', 'csv', '--out', dir, '--sla', 'chat:ttft=1000,tpot=10']);
    assert.equal(csv.trimEnd().split('\n').length, 8);
    assert.match(await readFile(path.join(dir, 'report.md'), 'utf8'), /\| chat \| p99 TTFT ≤ 1000 ms, p99 TPOT ≤ 10 ms \| 1P-TP4:1D-TP4 pd-pack \| conc 16 \|/);
    // report.html beside it: the same table, with the charts' specs inlined.
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    assert.match(html, /<tr><td>chat<\/td><td>p99 TTFT ≤ 1000 ms, p99 TPOT ≤ 10 ms<\/td><td>1P-TP4:1D-TP4 pd-pack<\/td><td>conc 16<\/td>/);
    assert.match(html, /<script type="application\/json" id="pdflow-specs">\{"chart-1":/);
  });
  const bad: Array<[string[], RegExp]> = [
    [['--import', BENCH_DIR, '--format', 'xml'], /--format: "xml" is not one of table, csv, json/],
    [['--import', BENCH_DIR, '--sla', 'fast'], /--sla: SLA tier "fast"/],
    [['--import', BENCH_DIR, '--tolerance', '5'], /--tolerance: "5" is not a fraction/],
    [['--import', '/nonexistent/dir'], /no such file or folder/],
    [['wf-1', '--import', BENCH_DIR], /either a workflow id or --import/],
    [[], /give a sweep workflow id/],
  ];
  for (const [args, re] of bad) {
    it(`exits 2 on ${args.join(' ') || '(nothing)'}`, async () => {
      await assert.rejects(run(args), (e: unknown) => e instanceof BadInputError && e.exitCode === 2 && re.test(e.message));
    });
  }
});
