// What reaches bench.sh for a planned point (pure): the workload, the load and every `bench`
// setting of the sweep file, in bench.sh's flags (which map them onto `vllm bench serve` 0.11).
import type { ClusterConfig } from '../../config/index.js';
import type { Plan, PlannedPoint } from '../../plan/index.js';
import { serveUrl } from './serve.js';

/** The seed's "no limit" for the load knob a point does not set (run_bm.sh passes 1000000000). */
export const UNLIMITED = 1_000_000_000;

/** Where a point's raw result goes on the head: per sweep, deployment and workload. */
/** Per run (`runName`: workflow id + run-key hash): a later run of the same sweep never overwrites this one's results. */
export function benchResultDir(resultsRoot: string, sweepName: string, runName: string, deploymentId: string, workloadId: string): string {
  return `${resultsRoot}/${sweepName}/${runName}/${deploymentId}/${workloadId}`;
}

/** `bench.sh` arguments for a planned point. Without `bench` (an old workflow's input) bench.sh's defaults apply. */
export function benchArgs(cluster: ClusterConfig, p: PlannedPoint, resultDir: string, venv: string, bench?: Plan['bench']): string[] {
  const args = [
    '--base-url', serveUrl(cluster), '--model', cluster.model.id, '--served-model-name', cluster.model.servedName,
    '--isl', String(p.workload.isl), '--osl', String(p.workload.osl), '--mode', p.workload.mode,
    '--num-prompts', String(p.load.numPrompts),
  ];
  if (p.load.kind === 'concurrency') {
    args.push('--max-concurrency', String(p.load.concurrency), '--request-rate', String(UNLIMITED));
  } else {
    // An uncapped request-rate point still needs --max-concurrency: the seed passes 1000000000.
    args.push('--max-concurrency', String(p.load.maxConcurrency ?? UNLIMITED), '--request-rate', String(p.load.requestRate),
      '--burstiness', String(p.load.burstiness));
  }
  if (bench) {
    args.push('--dataset', bench.dataset, bench.ignoreEos ? '--ignore-eos' : '--no-ignore-eos',
      '--percentile-metrics', bench.percentileMetrics.join(','), '--metric-percentiles', bench.metricPercentiles.join(','));
    if (bench.seed !== undefined) args.push('--seed', String(bench.seed));
  }
  args.push('--result-dir', resultDir, '--result-filename', `${p.loadId}.json`, '--venv', venv);
  if (bench?.extraArgs.length) args.push('--', ...bench.extraArgs);
  return args;
}
