// Which point a deployment measures next: the plan's grid in order, or an SLA search's next probe
// (picked from the verdicts so far: plan/sla-search.ts). Pure, no Temporal: its state is part of
// the sweep's carried state (cursor, search, searchAnswers), so a run that continues as new picks
// up where the last one stood. Either way the cursor counts the deployment's points done.
import type { BenchPointRecord } from '../../analysis/records.js';
import { workloadId } from '../../plan/expand.js';
import { pointCountOf, pointsOfDeployment } from '../../plan/plan.js';
import { probePoint, searchSpecOf } from '../../plan/search-points.js';
import { nextProbe, probeOutcomeOf, recordProbe, searchAnswer, searchProgressText, startSearch, type NextProbe, type SearchState } from '../../plan/sla-search.js';
import type { Plan, PlannedDeployment, PlannedPoint } from '../../plan/types.js';
import type { SweepCarry } from '../sweep-types.js';

/** The part of the carried state the point source reads and moves. */
export type PointCursor = Pick<SweepCarry, 'cursor' | 'search' | 'searchAnswers'>;

export class PointSource {
  /** The current deployment's points (a lazy plan makes them per deployment; never all at once). */
  private pointsCache: { id: string; points: PlannedPoint[] } | undefined;
  /** The probe the last next() gave, which took() judges (not carried: next() is asked again after a hand-over). */
  private probeAsked: { workload: number; probe: NextProbe } | undefined;

  constructor(private readonly plan: Pick<Plan, 'lazy' | 'timings' | 'search'>, private readonly s: PointCursor) {}

  /** The deployment's next point, or undefined when its points (or searches) are done. */
  next(dep: PlannedDeployment): PlannedPoint | undefined {
    const search = this.plan.search;
    if (!search) return this.s.cursor.point < pointCountOf(dep) ? this.pointsOf(dep)[this.s.cursor.point] : undefined;
    const now = this.searchNow();
    const probe = now.workload < search.workloads.length ? nextProbe(now.state) : null;
    this.probeAsked = probe ? { workload: now.workload, probe } : undefined;
    return probe ? probePoint(this.plan, dep, now.workload, probe) : undefined;
  }

  /**
   * The point next() gave was recorded as `r`. A search takes its verdict against the SLA; a
   * finished search's answer is kept and the next workload's begins. The cursor moves on.
   */
  took(dep: PlannedDeployment, r: BenchPointRecord): void {
    this.judge(dep, r);
    this.s.cursor.point++;
  }

  /** The points a deployment that will not come up leaves unmeasured: the grid's rest, or each search's next probe. */
  left(dep: PlannedDeployment): PlannedPoint[] {
    const search = this.plan.search;
    if (!search) return this.pointsOf(dep).slice(this.s.cursor.point);
    const now = this.searchNow();
    const out: PlannedPoint[] = [];
    for (let w = now.workload; w < search.workloads.length; w++) {
      const probe = nextProbe(w === now.workload ? now.state : startSearch(searchSpecOf(search)));
      if (probe) out.push(probePoint(this.plan, dep, w, probe));
    }
    return out;
  }

  /** " — <the search's phase and bracket>" for the current details, or '' (a grid, or no probe judged yet). */
  searchText(): string {
    return this.plan.search && this.s.search ? ` — ${searchProgressText(this.s.search.state)}` : '';
  }

  /** The deployment is done: the next one starts its searches afresh. */
  endDeployment(): void {
    this.s.search = undefined;
  }

  private judge(dep: PlannedDeployment, r: BenchPointRecord): void {
    const search = this.plan.search;
    if (!search || !this.probeAsked) return;
    const state = recordProbe(this.searchNow().state, this.probeAsked.probe.load, probeOutcomeOf(r, search.sla));
    const w = this.probeAsked.workload;
    this.probeAsked = undefined;
    if (nextProbe(state)) {
      this.s.search = { workload: w, state };
      return;
    }
    (this.s.searchAnswers ??= {})[`${dep.id}/${workloadId(search.workloads[w]!)}`] = searchAnswer(state);
    this.s.search = { workload: w + 1, state: startSearch(searchSpecOf(search)) };
  }

  /** The search in progress on the current deployment (a new deployment starts at its first workload). */
  private searchNow(): { workload: number; state: SearchState } {
    return this.s.search ?? { workload: 0, state: startSearch(searchSpecOf(this.plan.search!)) };
  }

  private pointsOf(dep: PlannedDeployment): PlannedPoint[] {
    if (this.pointsCache?.id !== dep.id) this.pointsCache = { id: dep.id, points: pointsOfDeployment(this.plan, dep) };
    return this.pointsCache.points;
  }
}
