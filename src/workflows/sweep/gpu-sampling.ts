// GPU sampling around a point: every GPU node of the deployment samples nvidia-smi and the EFA
// counters while the point runs, and the record gets the summary (energy, power, EFA bytes, cost).
// Sampling that fails costs the point nothing but its summary.
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import { benchWindowOf, deploymentHourlyUsd, withGpuSummary } from '../../analysis/point-energy.js';
import type { BenchPointRecord } from '../../analysis/records.js';
import { failureReason } from '../../common/failures.js';
import type { PlannedDeployment, PlannedPoint } from '../../plan/types.js';
import type { ActivityProxy } from './activities.js';
import { shapeOf } from './deployment-shape.js';
import type { SweepRun } from './run.js';

export class GpuSampling {
  constructor(
    private readonly run: SweepRun,
    private readonly acts: ActivityProxy,
    /** The 'pdflow-gpu-sampling' patch: sweeps begun before it replay without sampling. */
    private readonly enabled: boolean,
  ) {}

  /** Runs `bench` with the deployment's GPUs sampled; the record gets their summary. */
  async around(dep: PlannedDeployment, point: PlannedPoint, bench: () => Promise<BenchPointRecord>): Promise<BenchPointRecord> {
    const { cluster, plan } = this.run;
    if (!this.enabled) return bench();
    const target = { cluster, deployment: shapeOf(dep), pointId: point.id };
    await this.acts.startGpuSampling.executeWithOptions({ summary: `sample GPUs for ${point.id}` }, [{ ...target, maxSeconds: plan.timeouts.pointMinutes * 60 + 600 }])
      .catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        log.warn('GPU sampling did not start', { point: point.id, error: failureReason(err) });
      });
    let r: BenchPointRecord | undefined;
    try {
      r = await bench();
    } finally {
      // Always stopped, also when the point failed or was cancelled.
      const gpu = await CancellationScope.nonCancellable(() => this.acts.stopGpuSampling.executeWithOptions({ summary: `GPU samples of ${point.id}` }, [{ ...target, ...(r?.metrics ? { window: benchWindowOf(r) } : {}) }]))
        .catch((err: unknown) => {
          log.warn('GPU samples not read', { point: point.id, error: failureReason(err) });
          return undefined;
        });
      if (r) r = withGpuSummary(r, gpu, deploymentHourlyUsd(cluster, dep));
    }
    return r;
  }
}
