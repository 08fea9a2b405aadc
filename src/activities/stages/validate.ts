// Validate activity: the NIXL KV-block transfer test from the head (two Ray actors, SPREAD or
// PACK), judged by the transfer gate: the median bandwidth and the transport, with the likely cause
// named; a spread median under network.targetBandwidthGBps passes with a warning.
import { ApplicationFailure } from '@temporalio/common';
import { checkTransfer, libfabricWarning, parseTransferTestResult } from '../../parse/index.js';
import type { ClusterConfig } from '../../config/index.js';
import type { ClusterStepInput } from '../../workflows/stage-types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout, runtimeEnv } from './layout.js';
import { headOf, RAY_PORT } from './ray.js';

/** Timed READs per transfer test (after one warm-up); the gate takes their median. */
const TIMED_READS = 3;

export function createValidateActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  return {
    async runTransferTest({ cluster, strategy }: ClusterStepInput & { strategy: 'pack' | 'spread' }): Promise<{ summary: string; gbps?: number; transport?: string; warnings: string[] }> {
      const head = headOf(cluster);
      const l = nodeLayout(await workdirOf(cluster, head.name));
      const backend = cluster.network.backend;
      const { json } = await scripts.run<Record<string, unknown>>(cluster, head.name, 'transfer_test.py', [
        '--strategy', strategy, '--backends', backend, '--num-blocks', '3750', '--num-layers', '50', '--blocks', '512',
        // One untimed READ sets up the connection; the gate takes the median of the timed ones.
        '--warmup', '1', '--iters', String(TIMED_READS),
        '--address', `${head.host}:${RAY_PORT}`,
      ], { step: `transfer-${strategy}`, interpreter: l.python, env: runtimeEnv(l), retryable: false, hint: 'the log shows the placement, the NIXL agents and the transport UCX chose' });
      const result = parseTransferTestResult(JSON.stringify(json));
      // Across nodes the network must be right; inside a node only correctness and a sane speed count.
      const verdict = checkTransfer(result, strategy === 'spread'
        ? {
            minGBps: cluster.network.minBandwidthGBps, targetGBps: cluster.network.targetBandwidthGBps, minSamples: TIMED_READS,
            expectedTransports: [cluster.network.expectedTransport, `${cluster.network.expectedTransport}_x`], label: 'across nodes',
          }
        : { minGBps: 1, minSamples: TIMED_READS, label: 'inside one node' });
      if (!verdict.pass) {
        throw ApplicationFailure.create({ type: 'GateFailed', nonRetryable: true, message: verdict.message, details: [{ strategy, cause: verdict.cause, gbps: verdict.measuredGBps }] });
      }
      const warnings: string[] = [];
      if (verdict.warning) warnings.push(verdict.warning);
      if (!result.transport && result.transportEvidence) warnings.push(`${strategy} transfer: transport unknown: ${result.transportEvidence}`);
      const lf = libfabricWarning(cluster.software.vllm.version, [backend]);
      if (lf) warnings.push(lf);
      return { summary: verdict.message, gbps: verdict.measuredGBps, transport: result.transport ?? undefined, warnings };
    },
  };
}
