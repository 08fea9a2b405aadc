// Validate activity: the NIXL KV-block transfer test from the head (two Ray actors, SPREAD or
// PACK), judged by the transfer gate: bandwidth and transport, with the likely cause named.
import { ApplicationFailure } from '@temporalio/common';
import { checkTransfer, libfabricWarning, parseTransferTestResult } from '../../parse/index.js';
import type { ClusterConfig } from '../../config/index.js';
import type { ClusterStepInput } from '../../workflows/stage-types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout, runtimeEnv } from './layout.js';
import { headOf, rayAddress } from './ray.js';

export function createValidateActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  return {
    async runTransferTest({ cluster, strategy }: ClusterStepInput & { strategy: 'pack' | 'spread' }): Promise<{ summary: string; gbps?: number; transport?: string; warnings: string[] }> {
      const head = headOf(cluster);
      const l = nodeLayout(await workdirOf(cluster, head.name));
      const backend = cluster.network.backend;
      const { json } = await scripts.run<Record<string, unknown>>(cluster, head.name, 'transfer_test.py', [
        '--strategy', strategy, '--backends', backend, '--num-blocks', '3750', '--num-layers', '50', '--blocks', '512',
        '--address', rayAddress(cluster),
      ], { step: `transfer-${strategy}`, interpreter: l.python, env: runtimeEnv(l), retryable: false, hint: 'the log shows the placement, the NIXL agents and the transport UCX chose' });
      const result = parseTransferTestResult(JSON.stringify(json));
      // Across nodes the network must be right; inside a node only correctness and a sane speed count.
      const verdict = checkTransfer(result, strategy === 'spread'
        ? { minGBps: cluster.network.minBandwidthGBps, expectedTransports: [cluster.network.expectedTransport, `${cluster.network.expectedTransport}_x`], label: 'across nodes' }
        : { minGBps: 1, label: 'inside one node' });
      if (!verdict.pass) {
        throw ApplicationFailure.create({ type: 'GateFailed', nonRetryable: true, message: verdict.message, details: [{ strategy, cause: verdict.cause, gbps: verdict.measuredGBps }] });
      }
      const warnings: string[] = [];
      const lf = libfabricWarning(cluster.software.vllm.version, [backend]);
      if (lf) warnings.push(lf);
      return { summary: verdict.message, gbps: verdict.measuredGBps, transport: result.transport ?? undefined, warnings };
    },
  };
}
