// Validate activity: the NIXL KV-block transfer test from the head (two Ray actors, STRICT_SPREAD
// or STRICT_PACK), judged by the transfer gate: the median bandwidth of the timed READs and the
// transport, with the likely cause named; a spread median under network.targetBandwidthGBps passes
// with a warning.
import { ApplicationFailure } from '@temporalio/common';
import { checkTransfer, libfabricWarning, parseTransferTestResult, type TransferTestResult, type TransferVerdict } from '../../parse/index.js';
import type { ClusterConfig } from '../../config/index.js';
import type { ClusterStepInput } from '../types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout, runtimeEnv } from './layout.js';
import { headOf, rayAddress } from './ray.js';

/** Timed READs per transfer test (after one warm-up); the gate takes their median. */
export const TIMED_READS = 3;

/** transfer_test.py's arguments: the seed's KV geometry, one warm-up READ, then the timed ones. */
export function transferTestArgs(cluster: ClusterConfig, strategy: 'pack' | 'spread'): string[] {
  return [
    '--strategy', strategy, '--backends', cluster.network.backend, '--num-blocks', '3750', '--num-layers', '50', '--blocks', '512',
    '--warmup', '1', '--iters', String(TIMED_READS),
    '--address', rayAddress(cluster),
  ];
}

/** The gate's verdict and the warnings the stage reports (under the target, transport unknown, LIBFABRIC on vLLM < 0.12). */
export function judgeTransfer(cluster: ClusterConfig, strategy: 'pack' | 'spread', result: TransferTestResult): { verdict: TransferVerdict; warnings: string[] } {
  // Across nodes the network must be right; inside a node only correctness and a sane speed count.
  const verdict = checkTransfer(result, strategy === 'spread'
    ? {
        minGBps: cluster.network.minBandwidthGBps, targetGBps: cluster.network.targetBandwidthGBps, minSamples: TIMED_READS,
        expectedTransports: [cluster.network.expectedTransport, `${cluster.network.expectedTransport}_x`], label: 'across nodes',
      }
    : { minGBps: 1, minSamples: TIMED_READS, label: 'inside one node' });
  const warnings: string[] = [];
  if (verdict.warning) warnings.push(verdict.warning);
  if (!result.transport && result.transportEvidence) warnings.push(`${strategy} transfer: transport unknown: ${result.transportEvidence}`);
  const lf = libfabricWarning(cluster.software.vllm.version, [cluster.network.backend]);
  if (lf) warnings.push(lf);
  return { verdict, warnings };
}

export function createValidateActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  return {
    async runTransferTest({ cluster, strategy }: ClusterStepInput & { strategy: 'pack' | 'spread' }): Promise<{ summary: string; gbps?: number; transport?: string; warnings: string[] }> {
      const head = headOf(cluster);
      const l = nodeLayout(await workdirOf(cluster, head.name));
      const { json } = await scripts.run<Record<string, unknown>>(cluster, head.name, 'transfer_test.py', transferTestArgs(cluster, strategy),
        { step: `transfer-${strategy}`, interpreter: l.python, env: runtimeEnv(l), retryable: false, hint: 'the log shows the placement, the NIXL agents and the UCX protocol table' });
      const result = parseTransferTestResult(JSON.stringify(json));
      const { verdict, warnings } = judgeTransfer(cluster, strategy, result);
      if (!verdict.pass) {
        throw ApplicationFailure.create({ type: 'GateFailed', nonRetryable: true, message: verdict.message, details: [{ strategy, cause: verdict.cause, gbps: verdict.measuredGBps }] });
      }
      return { summary: verdict.message, gbps: verdict.measuredGBps, transport: result.transport ?? undefined, warnings };
    },
  };
}
