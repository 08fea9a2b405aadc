// The SLA search state machine (issue 14 item 1): driven by synthetic oracles that meet the SLA at
// loads up to X, over many X, ranges and tolerances, for concurrency and request rate. It ends,
// never repeats a load, lands within the tolerance of X and never takes more probes than the
// worst case the plan reserves; the worst case is checked against the machine run over every outcome.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  midpoint, nextProbe, probeOutcomeOf, recordProbe, searchAnswer, searchProgressText, slaVerdict, startSearch, worstCaseProbes,
  type ProbeOutcome, type SearchState, type SlaSearchSpec,
} from '../../src/plan/index.js';
import { bracketLoads } from '../../src/plan/sla-search.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';

const spec = (over: SlaSearchSpec['over'], min: number, max: number, tolerance: number, fill = 0): SlaSearchSpec => ({ over, min, max, tolerance, fill });

const SPECS: SlaSearchSpec[] = [
  spec('concurrency', 1, 64, 0.1),
  spec('concurrency', 4, 256, 0.1, 2),
  spec('concurrency', 1, 1000, 0.05),
  spec('concurrency', 3, 100, 0.25, 3),
  spec('concurrency', 1, 2, 0.1, 1),
  spec('concurrency', 10, 11, 0.1),
  spec('concurrency', 8, 512, 0.001, 4),
  spec('concurrency', 5, 37, 1),
  spec('requestRate', 0.5, 64, 0.05, 2),
  spec('requestRate', 0.1, 10, 0.1),
  spec('requestRate', 1, 1000, 0.01),
  spec('requestRate', 0.3, 1, 0.2, 1),
  spec('requestRate', 2, 3, 0.001, 5),
  spec('requestRate', 0.25, 40, 1, 2),
];

interface Run { state: SearchState; loads: number[]; phases: string[] }

/** Runs a search to its end against `outcome`; fails on a runaway search. */
function run(s: SlaSearchSpec, outcome: (load: number) => ProbeOutcome): Run {
  let state = startSearch(s);
  const loads: number[] = [];
  const phases: string[] = [];
  for (let next = nextProbe(state); next; next = nextProbe(state)) {
    assert.ok(loads.length < 500, `search ${JSON.stringify(s)} does not end`);
    assert.equal(next.probeIndex, loads.length);
    loads.push(next.load);
    phases.push(next.phase);
    state = recordProbe(state, next.load, outcome(next.load));
  }
  return { state, loads, phases };
}

const meetsUpTo = (x: number) => (load: number): ProbeOutcome => ({ met: load <= x });

/** Thresholds around and across the range: below min, at every bracket load and beside it, log-spaced, above max. */
function thresholds(s: SlaSearchSpec): number[] {
  const xs = new Set<number>([s.min / 2, s.min, s.max, s.max * 3]);
  for (const l of bracketLoads(s)) for (const d of [-1, -0.01, 0, 0.01, 1]) if (l + d > 0) xs.add(l + d);
  for (let i = 0; i <= 60; i++) xs.add(s.min * (s.max / s.min) ** (i / 60));
  if (s.over === 'concurrency' && s.max - s.min <= 300) for (let c = s.min; c <= s.max; c++) xs.add(c);
  return [...xs].sort((a, b) => a - b);
}

/** The most probes (and seconds) over every outcome sequence, by running the state machine itself (fill probes do not branch). */
function exhaustiveWorst(s: SlaSearchSpec, secondsAt: (load: number) => number = () => 0): { probes: number; seconds: number } {
  const worst = { probes: 0, seconds: 0 };
  const visit = (state: SearchState, seconds: number) => {
    const next = nextProbe(state);
    if (!next) {
      worst.probes = Math.max(worst.probes, state.probes.length);
      worst.seconds = Math.max(worst.seconds, seconds);
      return;
    }
    visit(recordProbe(state, next.load, { met: true }), seconds + secondsAt(next.load));
    if (next.phase !== 'fill') visit(recordProbe(state, next.load, { met: false }), seconds + secondsAt(next.load));
  };
  visit(startSearch(s), 0);
  return worst;
}

describe('SLA search against monotone oracles', () => {
  for (const s of SPECS) {
    it(`${s.over} ${s.min}..${s.max}, tolerance ${s.tolerance}, fill ${s.fill}: ends, no repeats, within tolerance, within the worst case`, () => {
      const worst = worstCaseProbes(s);
      for (const x of thresholds(s)) {
        const { state, loads, phases } = run(s, meetsUpTo(x));
        const what = `X=${x}: probes ${loads.join(' ')}`;
        assert.equal(new Set(loads).size, loads.length, `${what}: a load probed twice`);
        for (const l of loads) {
          assert.ok(l >= s.min && l <= s.max, `${what}: ${l} outside [min, max]`);
          if (s.over === 'concurrency') assert.ok(Number.isInteger(l), `${what}: concurrency ${l} is not whole`);
        }
        assert.ok(loads.length <= worst.probes, `${what}: ${loads.length} probes > worst case ${worst.probes}`);
        for (const phase of ['bracket', 'bisect', 'fill'] as const) {
          assert.ok(phases.filter((p) => p === phase).length <= worst[phase], `${what}: more ${phase} probes than the worst case`);
        }
        const a = searchAnswer(state);
        assert.equal(a.done, true);
        assert.equal(a.probes, loads.length);
        assert.equal(a.inconsistent, false, what);
        if (x < s.min) {
          assert.equal(a.status, 'none-meets', what);
          assert.deepEqual(loads, [s.min], 'one probe at min, no fill');
          assert.equal(a.maxLoadMeeting, undefined);
        } else if (x >= s.max) {
          assert.equal(a.status, 'all-meet', what);
          assert.equal(a.maxLoadMeeting, s.max);
          assert.deepEqual(loads.slice(0, bracketLoads(s).length), bracketLoads(s), 'the bracket doubles up to max');
        } else {
          assert.equal(a.status, 'found', what);
          const { lo, hi } = a.bracket;
          assert.ok(lo !== undefined && hi !== undefined, what);
          assert.equal(a.maxLoadMeeting, lo);
          assert.ok(lo <= x && x < hi, `${what}: X outside the bracket [${lo}, ${hi})`);
          if (s.over === 'concurrency' && hi === lo + 1) assert.equal(lo, Math.floor(x), `${what}: the exact whole concurrency`);
          else {
            assert.ok(hi - lo <= s.tolerance * lo * (1 + 1e-9), `${what}: bracket [${lo}, ${hi}) wider than the tolerance`);
            assert.ok((x - lo) / x <= s.tolerance, `${what}: answer ${lo} more than ${s.tolerance} below X`);
          }
        }
        // Fill points lie below the answer, as many as asked where there is room.
        const fills = loads.filter((_, i) => phases[i] === 'fill');
        if (a.maxLoadMeeting !== undefined) for (const f of fills) assert.ok(f < a.maxLoadMeeting, `${what}: fill ${f} above the answer`);
        // A request rate gap always has room; nothing lies below an answer at min.
        if (s.over === 'requestRate' && a.maxLoadMeeting !== undefined && a.maxLoadMeeting > s.min) assert.equal(fills.length, s.fill, what);
        if (a.maxLoadMeeting === s.min) assert.equal(fills.length, 0, what);
      }
    });
  }

  it('the worst case equals the state machine run over every outcome (upper bound when integer gaps run out of room for fill)', () => {
    for (const s of SPECS.filter((x) => x.tolerance >= 0.01)) {
      const exact = exhaustiveWorst(s).probes;
      const bound = worstCaseProbes(s).probes;
      if (s.over === 'requestRate') assert.equal(bound, exact, JSON.stringify(s));
      else assert.ok(bound >= exact && bound - exact <= s.fill, `${JSON.stringify(s)}: bound ${bound}, exact ${exact}`);
      if (s.fill === 0) assert.equal(bound, exact, JSON.stringify(s));
    }
  });

  it('a monotone oracle reaches the worst case: the bound is tight (concurrency, every integer threshold)', () => {
    for (const s of SPECS.filter((x) => x.over === 'concurrency' && x.fill === 0 && x.max - x.min <= 1000)) {
      let most = 0;
      for (let x = s.min - 1; x <= s.max; x++) most = Math.max(most, run(s, meetsUpTo(x)).loads.length);
      assert.equal(most, worstCaseProbes(s).probes, JSON.stringify(s));
    }
  });

  it('beats a grid of the same relative resolution (geometric steps of 1 + tolerance)', () => {
    for (const s of SPECS.filter((x) => x.fill === 0 && x.max / x.min >= 16 && x.tolerance <= 0.1)) {
      const grid = Math.ceil(Math.log(s.max / s.min) / Math.log(1 + s.tolerance)) + 1;
      assert.ok(worstCaseProbes(s).probes < grid / 2, `${JSON.stringify(s)}: worst ${worstCaseProbes(s).probes} vs grid ${grid}`);
    }
  });
});

describe('SLA search edge cases', () => {
  const c = spec('concurrency', 4, 256, 0.1);

  it('known sequences: bracket by doubling, bisect between the last met and first missed', () => {
    assert.deepEqual(run(c, meetsUpTo(50)).loads, [4, 8, 16, 32, 64, 48, 56, 52]);
    assert.deepEqual(run(spec('concurrency', 1, 100, 0.1), meetsUpTo(7)).loads, [1, 2, 4, 8, 6, 7]);
    assert.deepEqual(run(spec('requestRate', 0.5, 64, 0.05), meetsUpTo(7.3)).loads, [0.5, 1, 2, 4, 8, 6, 7, 7.5, 7.25]);
    // max is probed even when it is not a doubling of min.
    assert.deepEqual(run(spec('concurrency', 3, 20, 0.5), meetsUpTo(100)).loads, [3, 6, 12, 20]);
  });

  it('X exactly at a probe: that probe meets and is the answer', () => {
    for (const x of [4, 8, 32, 48, 52, 256]) {
      const a = searchAnswer(run(c, meetsUpTo(x)).state);
      assert.ok(a.maxLoadMeeting! <= x && x - a.maxLoadMeeting! <= 0.1 * a.maxLoadMeeting!, `X=${x}: ${a.maxLoadMeeting}`);
      if ([4, 8, 32, 48, 256].includes(x)) assert.equal(a.maxLoadMeeting, x);
    }
  });

  it('fill: the widest gaps below the answer, never a load already probed; all-meet fills below max', () => {
    const r = run(spec('concurrency', 4, 256, 0.1, 2), meetsUpTo(50));
    assert.deepEqual(r.loads, [4, 8, 16, 32, 64, 48, 56, 52, 40, 24]);
    assert.deepEqual(r.phases.slice(-2), ['fill', 'fill']);
    const all = run(spec('requestRate', 1, 8, 0.1, 3), meetsUpTo(10));
    // Widest gap first (4..8), then the higher of equal gaps (6..8 before 4..6).
    assert.deepEqual(all.loads, [1, 2, 4, 8, 6, 7, 5]);
    assert.equal(searchAnswer(all.state).status, 'all-meet');
    // Integer gaps run out: only the loads left between are filled.
    const tight = run(spec('concurrency', 1, 4, 0.1, 5), meetsUpTo(2));
    assert.deepEqual(tight.loads, [1, 2, 4, 3]);
    assert.equal(searchAnswer(tight.state).maxLoadMeeting, 2);
  });

  it('a failed probe counts as a miss and is counted; at min nothing meets', () => {
    const failAtMin = run(c, () => ({ failed: true, reason: 'BenchFailed: connection refused' }));
    assert.deepEqual(failAtMin.loads, [4]);
    const a = searchAnswer(failAtMin.state);
    assert.equal(a.status, 'none-meets');
    assert.equal(a.failedProbes, 1);
    assert.equal(failAtMin.state.probes[0]!.reason, 'BenchFailed: connection refused');
    // Meets up to 100, but the benchmark fails at 64: the search stays below 64.
    const r = run(c, (l) => (l === 64 ? { failed: true } : { met: l <= 100 }));
    const b = searchAnswer(r.state);
    assert.equal(b.status, 'found');
    assert.equal(b.bracket.hi, 64);
    assert.ok(b.maxLoadMeeting! >= 58 && b.maxLoadMeeting! < 64);
    assert.equal(b.failedProbes, 1);
    assert.equal(b.inconsistent, false);
  });

  it('a miss below the answer (noise) marks the answer inconsistent', () => {
    const r = run(spec('concurrency', 4, 256, 0.1, 2), (l) => ({ met: l <= 50 && l !== 40 }));
    assert.equal(r.loads.includes(40), true);
    const a = searchAnswer(r.state);
    assert.equal(a.maxLoadMeeting, 48);
    assert.equal(a.inconsistent, true);
  });

  it('the state is plain JSON: a search carried through JSON (continue-as-new) goes on the same way', () => {
    const whole = run(c, meetsUpTo(77));
    let state = startSearch(c);
    for (let i = 0; i < 4; i++) state = recordProbe(state, nextProbe(state)!.load, meetsUpTo(77)(nextProbe(state)!.load));
    state = JSON.parse(JSON.stringify(state)) as SearchState;
    for (let next = nextProbe(state); next; next = nextProbe(state)) state = recordProbe(state, next.load, meetsUpTo(77)(next.load));
    assert.deepEqual(state, whole.state);
    assert.deepEqual(JSON.parse(JSON.stringify(whole.state)), whole.state, 'no undefined, no class instances');
  });

  it('recordProbe refuses a load the search did not ask for, and a probe after the end', () => {
    const s = startSearch(c);
    assert.throws(() => recordProbe(s, 8, { met: true }), /asked for a probe at 4, not 8/);
    const done = run(c, meetsUpTo(1)).state;
    assert.throws(() => recordProbe(done, 4, { met: true }), /the SLA search is over/);
    assert.equal(nextProbe(done), null);
  });

  it('progress shows the phase and the bracket', () => {
    let state = startSearch(c);
    assert.equal(searchProgressText(state), 'bracket: first probe at c=4');
    for (const met of [true, true, true, true, false]) state = recordProbe(state, nextProbe(state)!.load, { met });
    assert.equal(searchProgressText(state), 'bisect: c=32 met .. c=64 missed, next c=48 (probe 6)');
    assert.equal(searchProgressText(run(c, meetsUpTo(50)).state), 'found c=48 met .. c=52 missed (8 probes)');
    assert.equal(searchProgressText(run(spec('requestRate', 0.5, 8, 0.1), meetsUpTo(0.1)).state), 'none meets: min 0.5 req/s missed (1 probe)');
  });

  it('midpoints: whole concurrencies, request rates rounded to the gap\'s precision, always strictly inside', () => {
    const table: [SlaSearchSpec['over'], number, number, number | undefined][] = [
      ['concurrency', 4, 8, 6], ['concurrency', 7, 8, undefined], ['concurrency', 7, 9, 8], ['concurrency', 32, 64, 48],
      ['requestRate', 4, 8, 6], ['requestRate', 7, 8, 7.5], ['requestRate', 7, 7.5, 7.25], ['requestRate', 7.25, 7.5, 7.38],
      ['requestRate', 0.5, 1, 0.75], ['requestRate', 40, 80, 60], ['requestRate', 100, 300, 200], ['requestRate', 0.1, 0.2, 0.15],
    ];
    for (const [over, lo, hi, want] of table) assert.equal(midpoint(over, lo, hi), want, `${over} (${lo}, ${hi})`);
  });

  it('worst case by phase for the plan (bracket + bisect + fill)', () => {
    assert.deepEqual(worstCaseProbes(spec('concurrency', 4, 256, 0.1, 2)), { probes: 13, bracket: 7, bisect: 4, fill: 2, seconds: 0 });
    // Seconds: the slowest run, here 10 s per probe.
    assert.equal(worstCaseProbes(spec('concurrency', 4, 256, 0.1, 2), () => 10).seconds, 130);
    // Request rate: slower at low rates (500 prompts / rate): the slowest run, not probes x the slowest probe.
    for (const s of SPECS.filter((x) => x.over === 'requestRate' && x.tolerance >= 0.01)) {
      const secondsAt = (l: number) => 15 + 500 / l;
      const w = worstCaseProbes(s, secondsAt);
      const exact = exhaustiveWorst(s, secondsAt).seconds;
      if (s.fill === 0) assert.ok(Math.abs(w.seconds - exact) < 1e-6, `${JSON.stringify(s)}: ${w.seconds} vs ${exact}`);
      else assert.ok(w.seconds >= exact - 1e-6 && w.seconds <= exact + s.fill * secondsAt(s.min), `${JSON.stringify(s)}: ${w.seconds} vs ${exact}`);
      assert.ok(w.seconds < w.probes * secondsAt(s.min), 'tighter than every probe at min');
    }
  });
});

describe('SLA verdict of a probe', () => {
  const rec = (status: 'ok' | 'failed', ttft?: number, tpot?: number, failed?: number): Pick<BenchPointRecord, 'status' | 'metrics' | 'reason'> => (status === 'failed'
    ? { status, reason: 'BenchFailed: exit 1' }
    : {
      status,
      metrics: {
        completed: 100, ...(failed !== undefined ? { failed } : {}), durationSec: 10, requestThroughput: 1, outputThroughput: 1, totalThroughput: 1,
        outputThroughputPerGpu: 1, totalThroughputPerGpu: 1, interactivity: 1,
        ttftMs: { mean: 1, median: 1, ...(ttft !== undefined ? { p99: ttft } : {}) }, tpotMs: { mean: 1, median: 1, ...(tpot !== undefined ? { p99: tpot } : {}) },
      },
    });
  const sla = { p99TtftMs: 2000, p99TpotMs: 50 };
  const table: [string, ReturnType<typeof rec>, typeof sla | { p99TtftMs: number }, boolean, RegExp[]][] = [
    ['both within', rec('ok', 1500, 40), sla, true, []],
    ['at the limit', rec('ok', 2000, 50), sla, true, []],
    ['TTFT over', rec('ok', 2500, 40), sla, false, [/p99 TTFT 2500 ms > 2000 ms/]],
    ['both over', rec('ok', 2500, 60), sla, false, [/TTFT/, /TPOT 60\.0 ms > 50 ms/]],
    ['TPOT over, only TTFT limited', rec('ok', 100, 900), { p99TtftMs: 2000 }, true, []],
    ['no p99 in the result', rec('ok', undefined, 40), sla, false, [/no p99 TTFT/]],
    ['requests failed in an ok point', rec('ok', 100, 10, 3), sla, false, [/3 requests failed/]],
    ['failed point', rec('failed'), sla, false, [/failed point/]],
  ];
  for (const [name, r, limits, met, why] of table) {
    it(name, () => {
      const v = slaVerdict(r, limits);
      assert.equal(v.met, met);
      assert.equal(v.violated.length, why.length, v.violated.join('; '));
      why.forEach((re, i) => assert.match(v.violated[i]!, re));
    });
  }

  it('probe outcomes: a failed benchmark is failed (not a verdict); an ok one is judged', () => {
    assert.deepEqual(probeOutcomeOf(rec('failed'), sla), { failed: true, reason: 'BenchFailed: exit 1' });
    assert.deepEqual(probeOutcomeOf(rec('ok', 100, 10), sla), { met: true });
    assert.deepEqual(probeOutcomeOf(rec('ok', 3000, 10), sla), { met: false, violated: ['p99 TTFT 3000 ms > 2000 ms'] });
  });
});
