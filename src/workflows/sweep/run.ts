// The state of one sweep run: the cluster, the plan, the carried state, the records, what it is
// doing now; and the bodies of its query and signal handlers. The steps (sweep/*.ts) read and
// change it; the workflow (workflows/sweep.ts) sets the handlers and runs the steps.
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { BenchPointRecord } from '../../analysis/records.js';
import { PdflowFailedPoints } from '../../common/search-attributes.js';
import type { ClusterConfig } from '../../config/index.js';
import type { Plan, PlannedDeployment } from '../../plan/types.js';
import type { RunProgress } from '../messages.js';
import { sweepDetails, sweepProgress, type SweepStatus } from '../sweep-progress.js';
import type { ResultsStore } from '../sweep-store.js';
import type { SweepCarry, SweepOptions, SweepResultsView } from '../sweep-types.js';
import type { PointSource } from './point-source.js';
import type { RecordLog } from './record-log.js';

export interface SweepRunParts {
  cluster: ClusterConfig;
  plan: Plan;
  opts: SweepOptions;
  /** The carried state (fresh on the first run). */
  s: SweepCarry;
  log: RecordLog;
  source: PointSource;
  store: ResultsStore;
  /** Points of the whole plan (a search's worst case). */
  totalPoints: number;
}

export class SweepRun {
  readonly cluster: ClusterConfig;
  readonly plan: Plan;
  readonly opts: SweepOptions;
  readonly s: SweepCarry;
  readonly log: RecordLog;
  readonly source: PointSource;
  readonly store: ResultsStore;
  readonly totalPoints: number;
  readonly status: SweepStatus;
  /** Deployments of this run that are not in the plan (output-check references). */
  readonly extraDeployments = new Map<string, PlannedDeployment>();

  constructor(p: SweepRunParts) {
    ({ cluster: this.cluster, plan: this.plan, opts: this.opts, s: this.s, log: this.log, source: this.source, store: this.store, totalPoints: this.totalPoints } = p);
    this.status = { activity: 'starting', current: {}, stepStartedAt: p.s.startedAt, holding: false };
  }

  /** A new step: `progress` and the Web UI's current details say it. */
  say(what: string): void {
    this.status.activity = what;
    this.status.stepStartedAt = new Date().toISOString();
    setCurrentDetails(sweepDetails({
      sweep: this.plan.sweepName, cluster: this.cluster.name, what, counts: this.log.counts(), total: this.totalPoints,
      startedAt: this.s.startedAt, stepStartedAt: this.status.stepStartedAt,
    }));
  }

  /** Records a point's result, in the state and the results store; failures show at once in the Web UI (PdflowFailedPoints). */
  record(r: BenchPointRecord): void {
    const index = this.log.add(r);
    if (r.status !== 'ok') upsertSearchAttributes([{ key: PdflowFailedPoints, value: this.log.counts().failed }]);
    this.store.record(index);
    this.log.trim();
  }

  deploymentById(id: string): PlannedDeployment | undefined {
    return this.plan.deployments.find((d) => d.id === id) ?? this.extraDeployments.get(id);
  }

  /** The `progress` query. */
  progress(): RunProgress {
    const s = this.s;
    return sweepProgress({
      plan: this.plan, cluster: this.cluster.name, s, status: this.status, counts: this.log.counts(), total: this.totalPoints,
      heldGpus: s.deployed ? this.deploymentById(s.deployed.deploymentId)?.gpus ?? 0 : 0, nowMs: Date.now(),
    });
  }

  /** The `results` query: every record so far (the newest, when the store has the rest). */
  results(): SweepResultsView {
    const { s, plan } = this;
    return {
      records: s.records, ...this.log.windowOf(), failedDeployments: s.failedDeployments, rejected: plan.rejected,
      ...(plan.sla ? { sla: plan.sla } : {}), ...(s.outputChecks ? { outputChecks: s.outputChecks } : {}),
      ...(s.searchAnswers ? { searchAnswers: s.searchAnswers } : {}),
    };
  }

  /** The `pause` signal: takes effect in the pause gate, after the step in flight. */
  pause(): void {
    this.s.paused = true;
  }

  /** The `resume` signal. */
  resume(): void {
    this.s.paused = false;
  }
}
