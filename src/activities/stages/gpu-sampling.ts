// GPU and EFA sampling around a benchmark point: scripts/remote/gpu_sampler.sh runs detached on
// every GPU node of the deployment (nvidia-smi and the EFA hw_counters about once a second) from
// before runBenchPoint until after it; stopping copies each node's samples to the worker's run
// folder beside the point's raw result and returns their summary (energy, power, utilization,
// throttling, EFA bytes) for withGpuSummary (src/analysis/point-energy.ts) to put on the record.
// Both activities are idempotent: a retried start restarts the sampler, a retried stop finds it
// stopped and reads the same file.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ClusterConfig } from '../../config/index.js';
import type { PlannedDeployment } from '../../plan/index.js';
import { parseGpuSamples } from '../../parse/gpu-samples.js';
import { summarizeGpuSamples, type GpuSamplingSummary, type SampleWindow } from '../../analysis/gpu-energy.js';
import { gpusByNodeOf } from '../../analysis/point-energy.js';
import { fileSafe, samplesCopyPath } from '../../common/run-folder.js';
import type { NodeScripts } from '../node-scripts.js';
import { execOnNode } from '../ssh/exec.js';
import type { SshPool } from '../ssh/pool.js';
import { currentRunName, runIdOf } from '../remote.js';
import { nodeLayout } from './layout.js';

export type { GpuSamplingSummary, SampleWindow } from '../../analysis/gpu-energy.js';

/** Longest a sampler runs when nobody stops it (a point's timeout is far shorter). */
export const DEFAULT_SAMPLING_MAX_SECONDS = 6 * 3600;
export const DEFAULT_SAMPLING_INTERVAL_MS = 1000;
/** A sample file of hours on a node with 8 GPUs and 32 EFA devices stays well below this. */
const MAX_SAMPLES_BYTES = 256 * 1024 * 1024;

export interface GpuSamplingStartInput {
  cluster: ClusterConfig;
  deployment: PlannedDeployment;
  pointId: string;
  /** The sampler ends by itself after this (default 6 h): give the point's timeout plus a margin. */
  maxSeconds?: number;
  /** Default 1000. */
  intervalMs?: number;
}

export interface GpuSamplingStopInput {
  cluster: ClusterConfig;
  deployment: PlannedDeployment;
  pointId: string;
  /** Only samples in this window count (benchWindowOf(record): the benchmark's run); default all. */
  window?: SampleWindow;
}

export interface GpuSamplerStarted {
  node: string;
  /** The sample file on the node. */
  file: string;
  /** The nvidia-smi fields it samples (null: no nvidia-smi or no GPU answered). */
  gpuFields: string | null;
  efaDevices: number;
}

interface StartJson { ok: boolean; out: string; pid: number; gpuFields: string | null; efaDevices: number }
interface StopJson { ok: boolean; out: string; exists: boolean; wasRunning: boolean; lines: number; gpuLines: number; efaLines: number }

/** The deployment's nodes that have GPUs (the cluster file's count). */
export function gpuNodesOf(cluster: ClusterConfig, dep: PlannedDeployment): string[] {
  return dep.nodes.filter((name) => (cluster.nodes.find((n) => n.name === name)?.gpus.count ?? 0) > 0);
}

/** The sample file on a node: under its results folder, per run, point and node (nodes may share a workdir). */
export function samplesFileOnNode(resultsDir: string, runName: string, pointId: string, node: string): string {
  return `${resultsDir}/gpu-samples/${fileSafe(runName)}/${fileSafe(pointId)}.${fileSafe(node)}.csv`;
}

export function createGpuSamplingActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>, deps: { pool: () => SshPool; runsDir: string }) {
  const fileOn = async (cluster: ClusterConfig, node: string, pointId: string) =>
    samplesFileOnNode(nodeLayout(await workdirOf(cluster, node)).results, currentRunName(Context.current()), pointId, node);

  return {
    /** Starts (or restarts) the sampler on every GPU node of the deployment; call it right before runBenchPoint. */
    async startGpuSampling({ cluster, deployment, pointId, maxSeconds, intervalMs }: GpuSamplingStartInput): Promise<GpuSamplerStarted[]> {
      const max = Math.max(1, Math.ceil(maxSeconds ?? DEFAULT_SAMPLING_MAX_SECONDS));
      const every = Math.max(100, Math.round(intervalMs ?? DEFAULT_SAMPLING_INTERVAL_MS));
      return Promise.all(gpuNodesOf(cluster, deployment).map(async (node) => {
        const file = await fileOn(cluster, node, pointId);
        const { json } = await scripts.run<StartJson>(cluster, node, 'gpu_sampler.sh', ['start', '--out', file, '--interval-ms', String(every), '--max-seconds', String(max)], {
          hint: 'gpu_sampler.sh samples nvidia-smi and /sys/class/infiniband; check that the node answers and its workdir is writable',
          timeoutMs: 60_000,
        });
        return { node, file, gpuFields: json.gpuFields ?? null, efaDevices: json.efaDevices ?? 0 };
      }));
    },

    /**
     * Stops the samplers, copies each node's samples to <runs>/<run>/results/<point>.gpu-<node>.csv
     * and summarizes the deployment's GPUs (its placement) within `window`; call it right after
     * runBenchPoint, also when the point failed (the sampler would otherwise run until maxSeconds).
     */
    async stopGpuSampling({ cluster, deployment, pointId, window }: GpuSamplingStopInput): Promise<GpuSamplingSummary> {
      const ctx = Context.current();
      const nodes = gpuNodesOf(cluster, deployment);
      const files = await Promise.all(nodes.map(async (node) => {
        const file = await fileOn(cluster, node, pointId);
        const { json } = await scripts.run<StopJson>(cluster, node, 'gpu_sampler.sh', ['stop', '--out', file], {
          hint: 'gpu_sampler.sh stops the sampler it started for this point', timeoutMs: 60_000,
        });
        if (!json.exists) return { node, text: '', local: undefined };
        const raw = await execOnNode(deps.pool(), scripts.target(cluster, node), ['cat', file], { maxOutputBytes: MAX_SAMPLES_BYTES, signal: ctx.cancellationSignal });
        const local = samplesCopyPath(deps.runsDir, runIdOf(ctx), pointId, node);
        await mkdir(path.dirname(local), { recursive: true });
        await writeFile(local, raw.stdout);
        return { node, text: raw.stdout, local };
      }));
      const summary = summarizeGpuSamples(files.map((f) => parseGpuSamples(f.text, f.node)), {
        gpusByNode: gpusByNodeOf(deployment),
        ...(window ? { window } : {}),
      });
      summary.samplesPaths = files.flatMap((f) => (f.local ? [f.local] : []));
      return summary;
    },
  };
}
