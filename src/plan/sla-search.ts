// The SLA search: which load to probe next, from the probes so far. Pure and deterministic, and its
// state is plain JSON (the spec and the probes in order), so the sweep workflow can keep it in its
// state, carry it through continue-as-new and replay it.
//
// Bracket: min, then doubling (clamped to max) while probes meet the SLA. A miss at min: nothing
// meets. Max met: everything meets. Otherwise bisect between the highest load met (lo) and the
// lowest missed (hi) until hi <= lo x (1 + tolerance) (concurrency: also hi = lo + 1). Then `fill`
// extra points in the widest gaps below lo, for the curve. A failed probe (the benchmark itself
// failed after its retries, no latency to judge) counts as a miss: a load the deployment cannot
// serve does not meet an SLA; the answer counts such probes so a reader can tell.
import { meetsSla } from '../analysis/sla.js';
import type { BenchPointRecord } from '../analysis/records.js';
import type { SlaConfig } from '../config/index.js';
import type { SearchPhase, SearchWorstCase, SlaSearchSpec } from './types.js';

export type ProbeResult = 'met' | 'missed' | 'failed';

export interface SearchProbe {
  load: number;
  phase: SearchPhase;
  result: ProbeResult;
  /** Why it missed (the limits violated) or failed. */
  reason?: string;
}

export interface SearchState {
  spec: SlaSearchSpec;
  /** Every probe so far, in order. */
  probes: SearchProbe[];
}

export interface NextProbe {
  load: number;
  /** 0-based number of this probe in its search. */
  probeIndex: number;
  phase: SearchPhase;
}

/** What a probe's benchmark gave: an SLA verdict, or a failure (no verdict possible). */
export type ProbeOutcome = { met: boolean; violated?: string[] } | { failed: true; reason?: string };

/** searching: bracket or bisect not over; found: a load met and the next step up missed. */
export type SearchStatus = 'searching' | 'found' | 'none-meets' | 'all-meet';

export interface SearchAnswer {
  status: SearchStatus;
  /** No probe left (the fill included). */
  done: boolean;
  /** The highest load met while bracketing and bisecting (absent: none yet, or none meets). */
  maxLoadMeeting?: number;
  /** lo: that load; hi: the lowest load above it that missed (absent while unknown, or when max met). */
  bracket: { lo?: number; hi?: number };
  probes: number;
  failedProbes: number;
  /**
   * A probe below the answer missed or failed (noise, a flaky benchmark, or an SLA the load does
   * not decide monotonically): the boundary is less certain than the tolerance says.
   */
  inconsistent: boolean;
}

export function startSearch(spec: SlaSearchSpec): SearchState {
  return { spec: { ...spec }, probes: [] };
}

/**
 * A load strictly between lo and hi near their middle, or undefined when there is none.
 * Concurrency: the integer below the middle. Request rate: the middle rounded to a tenth of the
 * gap's order of magnitude (6, 7, 7.5, 7.25...), so probes read as numbers a person would pick.
 */
export function midpoint(over: SlaSearchSpec['over'], lo: number, hi: number): number | undefined {
  let m: number;
  if (over === 'concurrency') m = Math.floor((lo + hi) / 2);
  else {
    const exp = Math.floor(Math.log10(hi - lo)) - 1;
    const q = 10 ** exp;
    m = Math.round((lo + hi) / 2 / q) * q;
    if (exp < 0) m = Number(m.toFixed(-exp));
  }
  return m > lo && m < hi ? m : undefined;
}

interface Walk {
  stage: SearchPhase | 'done';
  status: SearchStatus;
  lo?: number;
  hi?: number;
  next?: number;
}

/** Whether bisecting (lo, hi) further is pointless: within the tolerance, or no load between. */
function narrowEnough(spec: SlaSearchSpec, lo: number, hi: number): boolean {
  // A relative slack for floating-point doubling (0.1 x 0.3 ...).
  return hi - lo <= spec.tolerance * lo * (1 + 1e-9) || midpoint(spec.over, lo, hi) === undefined;
}

/** The fill probe: the middle of the widest gap between loads probed up to lo (the higher on ties). */
function fillLoad(spec: SlaSearchSpec, probes: readonly SearchProbe[], lo: number): number | undefined {
  const loads = [...new Set(probes.map((p) => p.load).filter((l) => l <= lo))].sort((a, b) => a - b);
  let best: { width: number; load: number } | undefined;
  for (let i = 1; i < loads.length; i++) {
    const width = loads[i]! - loads[i - 1]!;
    const m = midpoint(spec.over, loads[i - 1]!, loads[i]!);
    if (m !== undefined && (!best || width >= best.width)) best = { width, load: m };
  }
  return best?.load;
}

/** Replays the probes: the bracket so far and what comes next. */
function walk(state: SearchState): Walk {
  const { spec, probes } = state;
  let lo: number | undefined;
  let hi: number | undefined;
  let fills = 0;
  for (const p of probes) {
    if (p.phase === 'fill') fills++;
    else if (p.result === 'met') lo = p.load;
    else hi = p.load;
  }
  const bounds = { ...(lo !== undefined ? { lo } : {}), ...(hi !== undefined ? { hi } : {}) };
  if (lo === undefined && hi !== undefined) return { stage: 'done', status: 'none-meets', ...bounds };
  if (hi === undefined && (lo === undefined || lo < spec.max)) {
    return { stage: 'bracket', status: 'searching', ...bounds, next: lo === undefined ? spec.min : Math.min(2 * lo, spec.max) };
  }
  if (lo !== undefined && hi !== undefined && !narrowEnough(spec, lo, hi)) {
    return { stage: 'bisect', status: 'searching', ...bounds, next: midpoint(spec.over, lo, hi)! };
  }
  const status: SearchStatus = hi === undefined ? 'all-meet' : 'found';
  const next = fills < spec.fill ? fillLoad(spec, probes, lo!) : undefined;
  return next === undefined ? { stage: 'done', status, ...bounds } : { stage: 'fill', status, ...bounds, next };
}

/** The next load to probe, or null when the search is over. */
export function nextProbe(state: SearchState): NextProbe | null {
  const w = walk(state);
  if (w.stage === 'done' || w.next === undefined) return null;
  return { load: w.next, probeIndex: state.probes.length, phase: w.stage };
}

/** The state after the next probe (which must be at `load`) gave `outcome`. */
export function recordProbe(state: SearchState, load: number, outcome: ProbeOutcome): SearchState {
  const next = nextProbe(state);
  if (!next) throw new Error(`the SLA search is over (${state.probes.length} probes); no probe at ${load} was asked for`);
  if (next.load !== load) throw new Error(`the SLA search asked for a probe at ${next.load}, not ${load}`);
  const probe: SearchProbe = { load, phase: next.phase, result: 'failed' in outcome ? 'failed' : outcome.met ? 'met' : 'missed' };
  const reason = 'failed' in outcome ? outcome.reason : outcome.violated?.join('; ');
  if (reason) probe.reason = reason;
  return { spec: state.spec, probes: [...state.probes, probe] };
}

export function searchAnswer(state: SearchState): SearchAnswer {
  const w = walk(state);
  const answer: SearchAnswer = {
    status: w.status,
    done: w.stage === 'done',
    bracket: { ...(w.lo !== undefined ? { lo: w.lo } : {}), ...(w.hi !== undefined ? { hi: w.hi } : {}) },
    probes: state.probes.length,
    failedProbes: state.probes.filter((p) => p.result === 'failed').length,
    inconsistent: w.lo !== undefined && state.probes.some((p) => p.result !== 'met' && p.load <= w.lo!),
  };
  if (w.lo !== undefined) answer.maxLoadMeeting = w.lo;
  return answer;
}

const loadText = (spec: SlaSearchSpec, load: number) => (spec.over === 'concurrency' ? `c=${load}` : `${load} req/s`);

/** One line for `progress`: the phase, the bracket and the next probe. */
export function searchProgressText(state: SearchState): string {
  const w = walk(state);
  const at = (n?: number) => (n === undefined ? '?' : loadText(state.spec, n));
  const n = state.probes.length;
  const bracket = `${at(w.lo)} met .. ${at(w.hi)} missed`;
  switch (w.stage) {
    case 'bracket': return w.lo === undefined ? `bracket: first probe at ${at(w.next)}` : `bracket: ${at(w.lo)} met, next ${at(w.next)} (probe ${n + 1})`;
    case 'bisect': return `bisect: ${bracket}, next ${at(w.next)} (probe ${n + 1})`;
    case 'fill': return `${w.status === 'all-meet' ? `all met up to max ${at(w.lo)}` : `found ${bracket}`}; fill point at ${at(w.next)} (probe ${n + 1})`;
    default:
      if (w.status === 'none-meets') return `none meets: min ${at(w.hi)} missed (${n} probe${n === 1 ? '' : 's'})`;
      return `${w.status === 'all-meet' ? `all met up to max ${at(w.lo)}` : `found ${bracket}`} (${n} probes)`;
  }
}

/** The loads the bracket probes, in order, if every one meets: min, doubling, clamped to max. */
export function bracketLoads(spec: SlaSearchSpec): number[] {
  const loads = [spec.min];
  while (loads[loads.length - 1]! < spec.max) loads.push(Math.min(2 * loads[loads.length - 1]!, spec.max));
  return loads;
}

/** The longest (and the slowest) run of bisect probes between lo (met) and hi (missed), over every outcome. */
function bisectWorst(spec: SlaSearchSpec, lo: number, hi: number, secondsAt: (load: number) => number): { probes: number; seconds: number } {
  if (narrowEnough(spec, lo, hi)) return { probes: 0, seconds: 0 };
  const m = midpoint(spec.over, lo, hi)!;
  const met = bisectWorst(spec, m, hi, secondsAt);
  const missed = bisectWorst(spec, lo, m, secondsAt);
  return { probes: 1 + Math.max(met.probes, missed.probes), seconds: secondsAt(m) + Math.max(met.seconds, missed.seconds) };
}

/**
 * The most probes one search can take, over every sequence of outcomes, with the same bracket,
 * midpoint and stopping rules as nextProbe (the unit tests check it against the state machine run
 * over every outcome). The bracket stops at its first miss; a miss at its j-th probe (j > 1)
 * bisects between the (j-1)-th and j-th loads; fill probes count as `fill`, their most.
 * `bracket` and `bisect` are each phase's own maximum (no single run need reach both).
 * `secondsAt`, a probe's estimated seconds at a load (monotone in the load), gives the slowest
 * run's seconds: its fill probes each at the slower end of [min, max].
 */
export function worstCaseProbes(spec: SlaSearchSpec, secondsAt: (load: number) => number = () => 0): SearchWorstCase & { seconds: number } {
  const loads = bracketLoads(spec);
  const fillSeconds = spec.fill * Math.max(secondsAt(spec.min), secondsAt(spec.max));
  // Every bracket probe met (all meet), or the first missed (none meets: no fill).
  let probes = Math.max(1, loads.length + spec.fill);
  let bisect = 0;
  let before = secondsAt(loads[0]!);
  let seconds = Math.max(before, before + loads.slice(1).reduce((n, l) => n + secondsAt(l), 0) + fillSeconds);
  for (let j = 1; j < loads.length; j++) {
    before += secondsAt(loads[j]!);
    const w = bisectWorst(spec, loads[j - 1]!, loads[j]!, secondsAt);
    bisect = Math.max(bisect, w.probes);
    probes = Math.max(probes, j + 1 + w.probes + spec.fill);
    seconds = Math.max(seconds, before + w.seconds + fillSeconds);
  }
  return { probes, bracket: loads.length, bisect, fill: spec.fill, seconds };
}

/**
 * Every limit of `sla` a point violates, judged as the report judges it (analysis/sla.ts): a failed
 * point or one without the percentile meets nothing. Requests that failed inside an ok point are a
 * violation too: a deployment that drops requests at a load does not serve it within any SLA.
 */
export function slaVerdict(record: Pick<BenchPointRecord, 'status' | 'metrics'>, sla: SlaConfig): { met: boolean; violated: string[] } {
  const violated: string[] = [];
  const r = record as BenchPointRecord;
  for (const limit of [{ p99TtftMs: sla.p99TtftMs }, { p99TpotMs: sla.p99TpotMs }]) {
    if (Object.values(limit)[0] === undefined) continue;
    const v = meetsSla(r, { name: 'search SLA', ...limit });
    if (!v.ok) violated.push(v.why ?? 'misses the SLA');
  }
  const failed = record.metrics?.failed ?? 0;
  if (record.status === 'ok' && failed > 0) violated.push(`${failed} request${failed === 1 ? '' : 's'} failed`);
  return { met: violated.length === 0, violated: [...new Set(violated)] };
}

/** A probe's record as the search's outcome: a failed benchmark is failed, an ok one is judged by the SLA. */
export function probeOutcomeOf(record: Pick<BenchPointRecord, 'status' | 'metrics' | 'reason'>, sla: SlaConfig): ProbeOutcome {
  if (record.status !== 'ok' || !record.metrics) return { failed: true, ...(record.reason ? { reason: record.reason } : {}) };
  const v = slaVerdict(record, sla);
  return v.met ? { met: true } : { met: false, violated: v.violated };
}
