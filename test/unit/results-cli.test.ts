// `pdflow results` and `pdflow plan` as a user runs them (real process): exit codes, reasons before
// any table, known-bad warnings; and the sweep side of the flags (plan → records).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseClusterYaml, parseSweepYaml, type ClusterConfig, type SweepConfig } from '../../src/config/index.js';
import { formatPlan, planSweep } from '../../src/plan/index.js';
import { pointRecord, pointRecordFromBench } from '../../src/analysis/index.js';
import { parseVllmBenchResult } from '../../src/parse/index.js';
import { reportSweep } from '../../src/cli/results-report.js';
import { RunFailedError } from '../../src/cli/errors.js';
import { BENCH_DIR, PACK } from './helpers/bench-fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'pdflow-results-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pdflow(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/pdflow.js', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

const LF_SWEEP = `name: lf
model: { id: openai/gpt-oss-120b, servedName: gptoss }
workloads:
  - { isl: 5000, osl: 250 }
deployments:
  - mode: pd-spread
    prefill: { count: [1], tp: [4] }
    decode: { count: [1], tp: [4] }
    backend: LIBFABRIC
  - mode: pd-spread
    prefill: { count: [1], tp: [4] }
    decode: { count: [1], tp: [4] }
    backend: UCX
load:
  concurrency: [4, 16]
`;

function load<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(JSON.stringify(r.issues, null, 2));
  return r.value;
}

describe('pdflow results --import exit codes', () => {
  it('folders that yield no valid point: exit 2, each folder and file named with the reason, no table', () => {
    const a = path.join(dir, 'bad', 'gptoss_itl5000_otl250_mixed_2xtp4');
    const b = path.join(dir, 'bad', 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4');
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    writeFileSync(path.join(a, 'conc16.json'), '{"date": "2025');
    writeFileSync(path.join(b, 'notes.json'), '{"who": "me"}');
    const r = pdflow('results', '--import', path.join(dir, 'bad'));
    assert.equal(r.code, 2, r.out);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no valid benchmark point in/);
    assert.match(r.stderr, /gptoss_itl5000_otl250_mixed_2xtp4: no valid point\n {2}.*conc16\.json.*is not valid JSON/);
    assert.match(r.stderr, /gptoss_itl5000_otl250_mixed_1xtp4-1xtp4: no valid point\n {2}.*notes\.json is not a vllm bench serve result/);
  });
  it('one empty folder beside a good one: exit 0, the warning naming it on stderr, the table on stdout', () => {
    const good = path.join(dir, 'mixed', PACK);
    cpSync(path.join(BENCH_DIR, PACK), good, { recursive: true });
    cpSync(path.join(dir, 'bad', 'gptoss_itl5000_otl250_mixed_2xtp4'), path.join(dir, 'mixed', 'gptoss_itl5000_otl250_mixed_2xtp4'), { recursive: true });
    const r = pdflow('results', '--import', path.join(dir, 'mixed'));
    assert.equal(r.code, 0, r.out);
    assert.match(r.stderr, /warning: .*gptoss_itl5000_otl250_mixed_2xtp4: no valid point/);
    assert.match(r.stdout, /8 points \(7 ok, 1 failed\)/);
  });
  it('a LIBFABRIC folder: flagged in the table, never best; --gpu, --gpus-per-node and --sla p99TtftMs=... reach the report', () => {
    const lf = path.join(dir, 'lf', 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-libfabric');
    cpSync(path.join(BENCH_DIR, PACK), lf, { recursive: true });
    const r = pdflow('results', '--import', lf, path.join(BENCH_DIR, 'gptoss_itl5000_otl250_2xtp4'), '--gpu', 'H100', '--sla', 'p99TtftMs=2000,p99TpotMs=50', '--out', path.join(dir, 'lf-out'));
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /⚠ 7 flagged points/);
    assert.match(r.stdout, /ISL 5000 \/ OSL 250 \(mixed\) on H100/);
    assert.match(r.stdout, /best for standard: 2xTP4 collocated .*; skipped suspect 1P-TP4:1D-TP4 pd-spread \[spread-libfabric\]/);
    assert.match(r.stdout, /sweep SLA \(p99 TTFT ≤ 2000 ms, p99 TPOT ≤ 50 ms\): best 2xTP4 collocated/);
    const md = readFileSync(path.join(dir, 'lf-out', 'report.md'), 'utf8');
    assert.match(md, /## ⚠ Flagged points/);
    assert.match(md, /Hardware: 8x H100 per node \(from the command line\)/);
  });
  const bad: Array<[string[], RegExp]> = [
    [['--gpus-per-node', '0'], /--gpus-per-node: "0" is not a positive whole number/],
    [['--versions', 'vllm'], /--versions: "vllm" is not NAME=VERSION/],
    [['--sla', 'p99TtftMs=soon'], /--sla: SLA "p99TtftMs=soon"/],
  ];
  for (const [args, re] of bad) {
    it(`exit 2 on ${args.join(' ')}`, () => {
      const r = pdflow('results', '--import', path.join(BENCH_DIR, PACK), ...args);
      assert.equal(r.code, 2, r.out);
      assert.match(r.stderr, re);
    });
  }
  it('--gpu without --import: exit 2', () => {
    const r = pdflow('results', 'wf-1', '--gpu', 'H200');
    assert.equal(r.code, 2, r.out);
    assert.match(r.stderr, /--gpu only applies with --import/);
  });
});

describe('pdflow plan: known-bad stacks', () => {
  it('warns once per flagged deployment, before any GPU-hour is spent', () => {
    const sweepFile = path.join(dir, 'sweep-lf.yaml');
    writeFileSync(sweepFile, LF_SWEEP);
    const r = pdflow('plan', '--cluster', 'examples/cluster-p5.yaml', '--sweep', sweepFile);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /Warnings \(1\):\n {2}⚠ pd-spread-1p-tp4-1d-tp4[^\n]*: known-bad: NIXL backend LIBFABRIC with vLLM 0\.11 and NIXL 0\.6 corrupts or hangs KV transfers on EFA \(https:\/\/github\.com\/vllm-project\/vllm\/issues\/27055\)/);
  });
});

describe('sweep records carry the hardware and the flags', () => {
  const cluster: ClusterConfig = load(parseClusterYaml(readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml'));
  const sweep: SweepConfig = load(parseSweepYaml(LF_SWEEP, 'lf.yaml'));
  const plan = planSweep(cluster, sweep);
  const [lf, ucx] = plan.deployments;

  it('the plan flags the LIBFABRIC deployment only, with the cluster file\'s hardware', () => {
    assert.deepEqual(lf!.flags?.map((f) => f.kind), ['known-bad']);
    assert.equal(ucx!.flags, undefined);
    assert.deepEqual(lf!.hardware, { gpusPerNode: 8, efaDevices: 32, source: 'cluster-file', gpuModel: 'NVIDIA H100 80GB HBM3' });
    assert.equal(plan.warnings?.length, 1);
    assert.match(formatPlan(plan), /Warnings \(1\)/);
  });
  it('failed and measured records of it carry both; a UCX one carries the hardware only', () => {
    const failed = pointRecord(lf!, lf!.points[0]!, { status: 'failed', reason: 'x', attempt: 1, startedAt: '', durationSec: 0 });
    assert.deepEqual(failed.flags?.map((f) => f.kind), ['known-bad']);
    assert.equal(failed.hardware?.gpuModel, 'NVIDIA H100 80GB HBM3');
    const result = parseVllmBenchResult(readFileSync(path.join(BENCH_DIR, PACK, 'conc16.json'), 'utf8'), 'conc16.json');
    const extra = { attempt: 1, startedAt: '', durationSec: 1, versions: { vllm: '0.11.0', nixl: '0.6.1', ucx: '1.20.0', ray: '2.51.0' } };
    const measured = pointRecordFromBench(lf!, lf!.points[0]!, result, extra);
    assert.deepEqual(measured.flags?.map((f) => f.kind), ['known-bad']);
    assert.equal(measured.hardware?.efaDevices, 32);
    const clean = pointRecordFromBench(ucx!, ucx!.points[0]!, result, extra);
    assert.equal(clean.flags, undefined);
    assert.equal(clean.hardware?.gpusPerNode, 8);
    // A record made after an upgrade is checked against what it ran on, not only the plan.
    const upgraded = pointRecordFromBench({ ...lf!, flags: [] }, lf!.points[0]!, result, { ...extra, versions: { vllm: '0.12.0', nixl: '0.7.0' } });
    assert.equal(upgraded.flags, undefined);
  });
});

describe('pdflow results <id> of a run with no ok point', () => {
  it('prints the reasons before the table and exits 1', async () => {
    const lines: string[] = [];
    const io = { out: (t: string) => void lines.push(`out:${t}`), err: (t: string) => void lines.push(`err:${t}`) };
    const rec = {
      pointId: 'dep/isl5000-osl250/c4', deployment: { id: 'dep', name: '1P-TP4:1D-TP4 pd-pack', mode: 'pd-pack' as const, gpus: 8 },
      workload: { isl: 5000, osl: 250, mode: 'mixed' }, load: { concurrency: 4, numPrompts: 20 }, status: 'failed' as const,
      reason: 'vllm bench serve wrote no result: connection refused', timings: { startedAt: '', durationSec: 0 }, attempt: 3,
    };
    const view = { workflowId: 'sweep-1', status: 'COMPLETED', records: [rec], failedDeployments: [{ deployment: 'dep2', reason: 'did not become healthy' }], rejected: [] };
    await assert.rejects(reportSweep(view, { format: 'table' }, {}, io), (e: unknown) => e instanceof RunFailedError && e.exitCode === 1 && /sweep-1 has no ok point/.test((e as Error).message));
    const firstOut = lines.findIndex((l) => l.startsWith('out:'));
    const reason = lines.findIndex((l) => l.includes('connection refused'));
    assert.ok(reason >= 0 && reason < firstOut, lines.join(''));
    assert.ok(lines.some((l) => l.startsWith('err:') && l.includes('deployment dep2: did not become healthy')));
  });
  it('a sweep still running with no ok point yet: a note, no failure', async () => {
    const err: string[] = [];
    const view = { workflowId: 'sweep-3', status: 'RUNNING', records: [], failedDeployments: [], rejected: [] };
    await reportSweep(view, { format: 'table' }, {}, { out: () => undefined, err: (t) => void err.push(t) });
    assert.match(err.join(''), /sweep-3: running, no ok point yet/);
  });
  it('a run with an ok point: no error, and the sweep\'s sla reaches the report', async () => {
    const chunks: string[] = [];
    const result = parseVllmBenchResult(readFileSync(path.join(BENCH_DIR, PACK, 'conc16.json'), 'utf8'), 'conc16.json');
    const cluster: ClusterConfig = load(parseClusterYaml(readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml'));
    const plan = planSweep(cluster, load(parseSweepYaml(LF_SWEEP, 'lf.yaml')));
    const ucx = plan.deployments[1]!;
    const rec = pointRecordFromBench(ucx, ucx.points[0]!, result, { attempt: 1, startedAt: '', durationSec: 60 });
    const view = { workflowId: 'sweep-2', status: 'COMPLETED', records: [rec], failedDeployments: [], rejected: [], sla: { p99TtftMs: 2000 } };
    await reportSweep(view, { format: 'table' }, {}, { out: (t) => void chunks.push(t), err: () => undefined });
    assert.match(chunks.join(''), /sweep SLA \(p99 TTFT ≤ 2000 ms\): best 1P-TP4:1D-TP4 spread at conc 4 \(216\.7 out tok\/s\/GPU\); 1 point meets it/);
    assert.match(chunks.join(''), /ISL 5000 \/ OSL 250 \(mixed\) on H100/);
  });
});
