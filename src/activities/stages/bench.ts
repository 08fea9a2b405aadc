// The bench activity: one `vllm bench serve` point as a re-attachable remote job on the head;
// the raw vLLM JSON stays on the head and is copied to the worker's run folder; the parsed
// record goes back to the sweep workflow, whose state is the source of truth.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { parseVllmBenchResult } from '../../parse/index.js';
import { hardwareOfClusterNodes, pointRecordFromBench, type BenchPointRecord } from '../../analysis/index.js';
import { softwareVersions } from '../../plan/index.js';
import type { ClusterConfig } from '../../config/index.js';
import type { Plan, PlannedDeployment, PlannedPoint } from '../../plan/index.js';
import type { NodeScripts } from '../node-scripts.js';
import type { PointIdentity } from '../types.js';
import { execOnNode } from '../ssh/exec.js';
import type { SshPool } from '../ssh/pool.js';
import { currentRunName, runIdOf } from '../remote.js';
import { resultCopyPath } from '../../common/run-folder.js';
import { nodeLayout } from './layout.js';
import { headOf } from './ray.js';
import { benchArgs, benchResultDir } from './bench-args.js';
import { deploymentGone, serveStatus } from './serve.js';

export { benchArgs, benchResultDir, UNLIMITED } from './bench-args.js';

export interface BenchPointInput {
  cluster: ClusterConfig;
  deployment: PlannedDeployment;
  point: PlannedPoint;
  sweepName: string;
  bench?: Plan['bench'];
  /** Set when the point is measured again on a replaced deployment: a new remote job, never a re-read of the cut-short one. */
  retake?: number;
  /** The nodes' own account of hardware and versions (absent: the cluster file's declaration and pins). */
  identity?: PointIdentity;
}

interface BenchJson {
  ok: boolean;
  resultFile: string | null;
  error: string | null;
}

export function createBenchActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>, deps: { pool: () => SshPool; runsDir: string }) {
  return {
    async runBenchPoint({ cluster, deployment, point, sweepName, bench, retake, identity }: BenchPointInput): Promise<BenchPointRecord> {
      const ctx = Context.current();
      const startedAt = new Date();
      const head = headOf(cluster);
      const l = nodeLayout(await workdirOf(cluster, head.name));
      const resultDir = benchResultDir(l.results, sweepName, currentRunName(ctx), deployment.id, point.workloadId);
      // A retry after a timed-out attempt finds the benchmark still running: that one hangs (a healthy
      // one would have ended within the attempt's time), so it is killed and measured afresh, never
      // waited on again. A retry after a worker crash finds a younger job and re-attaches to it.
      const timeoutSec = (ctx.info.startToCloseTimeoutMs ?? 0) / 1000;
      const { json } = await scripts.run<BenchJson>(cluster, head.name, 'bench.sh', benchArgs(cluster, point, resultDir, l.venv, bench), {
        step: retake ? `bench-${point.id}-retake${retake}` : `bench-${point.id}`, hint: 'the log has vllm bench serve\'s output; check that the deployment still answers (serve status)',
        ...(timeoutSec > 0 ? { hungAfterSeconds: Math.max(10, timeoutSec * 0.9) } : {}),
        // A deployment that dies under the benchmark (a node rebooted) leaves its requests hanging
        // until the point's timeout, and each retry waits as long again: asked every tenth of the
        // timeout (10–60 s), Serve's word that the application is no longer RUNNING stops it.
        watch: {
          everyMs: timeoutSec > 0 ? Math.min(60_000, Math.max(10_000, timeoutSec * 100)) : 60_000,
          check: async () => deploymentGone(await serveStatus(scripts, workdirOf, cluster, { probe: false })),
        },
      });
      if (!json.ok || !json.resultFile) throw ApplicationFailure.create({ type: 'BenchFailed', message: `vllm bench serve for ${point.id} wrote no result: ${json.error ?? 'unknown error'}` });
      // Copy the raw JSON to the worker too: the head's disk is not the only copy.
      const raw = await execOnNode(deps.pool(), scripts.target(cluster, head.name), ['cat', json.resultFile], { maxOutputBytes: 64 * 1024 * 1024 });
      const local = resultCopyPath(deps.runsDir, runIdOf(ctx), point.id);
      await mkdir(path.dirname(local), { recursive: true });
      await writeFile(local, raw.stdout);
      const result = parseVllmBenchResult(raw.stdout, json.resultFile);
      // The nodes' own account when the sweep read it; else the cluster file's declaration (provision
      // checked its GPU count, model and EFA devices) with memory, driver and CUDA left out rather
      // than guessed. pointRecordFromBench flags the record when its versions and hardware are known-bad.
      const hardware = identity ? identity.hardware : hardwareOfClusterNodes(cluster, deployment.nodes);
      return pointRecordFromBench(deployment, point, result, {
        ...(hardware ? { hardware } : {}),
        attempt: ctx.info.attempt, startedAt: startedAt.toISOString(), durationSec: (Date.now() - startedAt.getTime()) / 1000,
        rawResultPath: `${head.name}:${json.resultFile}`, localResultPath: local, logPath: local, servedName: cluster.model.servedName,
        versions: identity?.versions ?? softwareVersions(cluster),
      });
    },
  };
}
