// `pdflow compare` against a SQLite results store in a temp folder (no Temporal server: complete
// runs in the store need none): the last-good baseline query, the table, JSON and report folder,
// and the real binary's exit codes (0 same, 1 regressed, 2 unknown run or bad flag).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openResultsStore, type ResultsStore } from '../../src/results-store/store.js';
import type { StoredRunStart } from '../../src/analysis/store-rows.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { runCompare } from '../../src/cli/compare-action.js';
import { compareRequest } from '../../src/cli/compare-flags.js';
import { BadInputError, RunFailedError, TemporalUnreachableError } from '../../src/cli/errors.js';
import { fixtureRecords, PACK, PD_1P2_2D2 } from './helpers/bench-fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-compare-cli-'));
const file = path.join(dir, 'results.db');
after(() => rmSync(dir, { recursive: true, force: true }));

const BASE = fixtureRecords([PACK, PD_1P2_2D2]).map((r) => ({ ...r, versions: { vllm: '0.11.0', nixl: '0.6.1' } }));
/** The fixtures' points with TPOT `f` times slower (and throughput per GPU accordingly), on another vLLM. */
const slower = (f: number): BenchPointRecord[] => BASE.map((r) => {
  const c = structuredClone(r);
  const m = c.metrics!;
  m.tpotMs = { ...m.tpotMs, median: m.tpotMs.median * f };
  m.interactivity = 1000 / m.tpotMs.median;
  m.outputThroughputPerGpu /= f;
  c.versions = { vllm: '0.11.1', nixl: '0.6.1' };
  return c;
});

const start = (startedAt: string, sweep = 'nightly'): StoredRunStart => ({ sweep, cluster: 'p5', startedAt, rejected: [], totalPoints: BASE.length });
async function putRun(store: ResultsStore, id: string, startedAt: string, records: BenchPointRecord[], outcome = 'ok', sweep = 'nightly') {
  const key = { workflowId: id, firstRunId: `${id}-r1` };
  await store.putRun(key, start(startedAt, sweep), { endedAt: startedAt.replace('T22', 'T23'), status: 'completed', outcome, failedDeployments: [] });
  for (const [index, record] of records.entries()) await store.putRecord(key, { index, record });
}

const noTemporal = () => Promise.reject(new TemporalUnreachableError('127.0.0.1:1', 'connection refused'));
function capture() {
  const o = { out: '', err: '' };
  return { io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) }, o };
}

before(async () => {
  const store = openResultsStore(file);
  await putRun(store, 'sweep-1', '2026-12-01T22:00:00.000Z', BASE); // good
  await putRun(store, 'sweep-2', '2026-12-02T22:00:00.000Z', slower(1.01)); // good, noise away from sweep-1
  await putRun(store, 'sweep-3', '2026-12-03T22:00:00.000Z', slower(1.3), 'partial'); // not good: never a baseline
  await putRun(store, 'sweep-4', '2026-12-04T22:00:00.000Z', slower(1.3)); // regressed
  await putRun(store, 'other-1', '2026-12-03T12:00:00.000Z', BASE, 'ok', 'another-sweep');
  await putRun(store, 'first-1', '2026-12-01T00:00:00.000Z', BASE, 'ok', 'first');
  await putRun(store, 'h200-1', '2026-12-05T00:00:00.000Z', BASE.map((r) => ({ ...r, hardware: { ...r.hardware!, gpuModel: 'NVIDIA H200' } })), 'ok', 'h200');
  await store.close();
});

describe('the results store: lastGoodRun', () => {
  it('the newest earlier run of the same sweep that ended ok, the run itself excluded', async () => {
    const store = openResultsStore(file, { readOnly: true });
    const find = async (id: string) => {
      const [run] = await store.findRuns(id);
      return (await store.lastGoodRun(run!.sweep, run!.startedAt, run!))?.workflowId ?? null;
    };
    assert.deepEqual([await find('sweep-4'), await find('sweep-3'), await find('sweep-2'), await find('sweep-1'), await find('other-1')],
      ['sweep-2', 'sweep-2', 'sweep-1', null, null]);
    await store.close();
  });
});

describe('runCompare on the store', () => {
  it('--baseline last-good: sweep-4 against sweep-2 regressed; table, JSON and report folder', async () => {
    const store = openResultsStore(file, { readOnly: true });
    const { io, o } = capture();
    const out = path.join(dir, 'out');
    await assert.rejects(runCompare(compareRequest(['sweep-4'], { baseline: 'last-good', out }), { store, temporal: noTemporal }, io), (err: Error) => {
      assert.ok(err instanceof RunFailedError, String(err));
      assert.match(err.message, new RegExp(`sweep-4 regressed against sweep-2: ${BASE.length} points and 1 frontier beyond the thresholds`));
      return true;
    });
    assert.match(o.out, /^B sweep-4 against A sweep-2: REGRESSED\n/);
    assert.match(o.out, /versions changed: none/); // 0.11.1 on both
    assert.match(o.out, /median TPOT \+28\.7% \(.* threshold 15%\)/);
    assert.match(o.err, /wrote 3 files to .*out: compare\.md, compare\.json and 1 plot\n/);
    const md = readFileSync(path.join(out, 'compare.md'), 'utf8');
    assert.match(md, /^# sweep-4 against sweep-2\n\n## Compared with sweep-2: regressed\n/);
    assert.match(md, /!\[Frontiers, B against A — ISL 5000 \/ OSL 250 \(mixed\)\]\(plots\/compare\/isl5000-osl250-mixed\.svg\)/);
    assert.match(readFileSync(path.join(out, 'plots/compare/isl5000-osl250-mixed.svg'), 'utf8'), /^<svg/);
    assert.equal(JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')).verdict, 'regressed');
    await store.close();
  });

  it('two runs a 1% apart: none, with the version change; --json', async () => {
    const store = openResultsStore(file, { readOnly: true });
    const { io, o } = capture();
    const c = await runCompare(compareRequest(['sweep-1', 'sweep-2'], { json: true }), { store, temporal: noTemporal }, io);
    assert.equal(c?.verdict, 'none');
    const j = JSON.parse(o.out);
    assert.deepEqual([j.a, j.b, j.verdict, j.counts.matched, j.versionChanges], ['sweep-1', 'sweep-2', 'none', BASE.length, [{ component: 'vllm', a: '0.11.0', b: '0.11.1' }]]);
    await store.close();
  });

  it('two runs with no point in common: bad input, with what differs', async () => {
    const store = openResultsStore(file, { readOnly: true });
    const { io } = capture();
    await assert.rejects(runCompare(compareRequest(['sweep-1', 'h200-1'], {}), { store, temporal: noTemporal }, io), (err: Error) => {
      assert.ok(err instanceof BadInputError, String(err));
      assert.match(err.message, /^sweep-1 \(14 records\) and h200-1 \(14\) have no point in common .*: nothing compared; e\.g\. .*conc\d+ differs in hardware\.gpuModel: unknown → NVIDIA H200$/);
      return true;
    });
    await store.close();
  });

  it('no earlier good run: says so, nothing compared', async () => {
    const store = openResultsStore(file, { readOnly: true });
    const { io, o } = capture();
    assert.equal(await runCompare(compareRequest(['first-1'], { baseline: 'last-good' }), { store, temporal: noTemporal }, io), undefined);
    assert.match(o.err, /no earlier run of sweep "first" ended ok in the results store \(SQLite .*\): nothing to compare first-1 with/);
    await store.close();
  });

  it('an unknown run: one line naming it, the store and Temporal', async () => {
    const store = openResultsStore(file, { readOnly: true });
    const { io } = capture();
    await assert.rejects(runCompare(compareRequest(['sweep-1', 'nope'], {}), { store, temporal: noTemporal }, io), (err: Error) => {
      assert.ok(err instanceof BadInputError, String(err));
      assert.equal(err.message.split('\n').length, 1, err.message);
      assert.match(err.message, /^B: no records of "nope": the results store \(SQLite .*results\.db\) has no run with that id, and Cannot reach Temporal at 127\.0\.0\.1:1: connection refused \(another store: --store PATH\|URL\)$/);
      return true;
    });
    await store.close();
  });
});

describe('compare flags', () => {
  const cases: Array<[string[], Record<string, string | boolean>, RegExp]> = [
    [['a'], {}, /give two runs, the baseline A and the run to check B \(got 1: a\)/],
    [['a', 'b'], { baseline: 'last-good' }, /--baseline last-good takes one run, the one to check \(got 2: a b\)/],
    [['a'], { baseline: 'yesterday' }, /--baseline: "yesterday" is not one of last-good/],
    [['a', 'b'], { threshold: 'ten' }, /--threshold: "ten" is not a percentage above 0; give e.g. --threshold 10/],
    [['a', 'b'], { threshold: '0' }, /--threshold: "0"/],
    [['a', 'b'], { out: ' ' }, /--out: empty/],
  ];
  for (const [ids, o, re] of cases) it(`${ids.join(' ')} ${JSON.stringify(o)}`, () => assert.throws(() => compareRequest(ids, o), (e: Error) => e instanceof BadInputError && re.test(e.message)));
  it('"5%" and "2.5" are thresholds', () => {
    assert.equal(compareRequest(['a', 'b'], { threshold: '5%' }).thresholdPct, 5);
    assert.equal(compareRequest(['a', 'b'], { threshold: '2.5' }).thresholdPct, 2.5);
  });
});

describe('the binary (no server: --address of a closed port)', () => {
  const pdflow = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['bin/pdflow.js', '--address', '127.0.0.1:1', 'compare', '--store', file, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
  };
  it('exit 0 when nothing regressed, 1 on a regression, 2 on an unknown run', () => {
    const same = pdflow('sweep-1', 'sweep-2');
    assert.equal(same.code, 0, same.out);
    assert.match(same.stdout, /B sweep-2 against A sweep-1: NONE/);
    const worse = pdflow('--baseline', 'last-good', 'sweep-4');
    assert.equal(worse.code, 1, worse.out);
    assert.match(worse.stderr, /pdflow: sweep-4 regressed against sweep-2/);
    const unknown = pdflow('sweep-1', 'nope');
    assert.equal(unknown.code, 2, unknown.out);
    assert.match(unknown.stderr, /^pdflow: B: no records of "nope": the results store .* has no run with that id/);
    assert.ok(!existsSync(path.join(root, '.pdflow', 'compare')));
  });
});
