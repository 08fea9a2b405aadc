// Reuse (opt-in): a point whose content key has a good record in the results store, made on nodes
// that are and run the same, is copied instead of measured; a deployment whose every point is
// reused is never deployed.
import type { BenchPointRecord } from '../../analysis/records.js';
import { reusedRecord, wantedRecord } from '../../analysis/reuse.js';
import type { PlannedDeployment, PlannedPoint } from '../../plan/types.js';
import type { ActivityProxy } from './activities.js';
import type { NodeIdentities } from './node-identity.js';
import type { PauseGate } from './pause-gate.js';
import type { SweepRun } from './run.js';

export class PointReuse {
  constructor(
    private readonly run: SweepRun,
    private readonly checks: ActivityProxy,
    private readonly steps: { pause: PauseGate; identity: NodeIdentities },
    /** The reuse settings when the run opted in (and the 'pdflow-reuse' patch holds); undefined: never reuse. */
    private readonly settings: { maxAgeHours: number } | undefined,
  ) {}

  /** A stored record that stands for the point, or undefined: measure it. */
  async find(dep: PlannedDeployment, point: PlannedPoint): Promise<BenchPointRecord | undefined> {
    const { run, settings } = this;
    const { s, cluster } = run;
    if (!settings) return undefined;
    if (s.paused) await this.steps.pause.hold(dep, point.label);
    await this.steps.identity.identify();
    const id = this.steps.identity.of(dep);
    if (!id) return undefined; // what the nodes run is unknown: nothing can be known to match
    run.say(`looking for a reusable record of ${point.label}`);
    const wanted = wantedRecord(dep, point, { model: cluster.model.id, ...id }, new Date());
    const found = await this.checks.findReusableRecord.executeWithOptions({ summary: `reuse ${point.id}?` }, [{ record: wanted, maxAgeHours: settings.maxAgeHours }]);
    if (!found) return undefined;
    s.reuse = { points: (s.reuse?.points ?? 0) + 1, gpuSecondsSaved: (s.reuse?.gpuSecondsSaved ?? 0) + (found.record.metrics?.durationSec ?? 0) * dep.gpus };
    return reusedRecord(found.record, found, point);
  }
}
