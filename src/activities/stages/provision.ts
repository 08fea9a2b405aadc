// Provision activities: scripts on the node, its inventory checked against the cluster file,
// and the pinned Python stack with the model weights.
import { ApplicationFailure } from '@temporalio/common';
import { checkInventory, libfabricWarning } from '../../parse/index.js';
import type { ClusterConfig, ClusterNode } from '../../config/index.js';
import type { NodeStepInput } from '../../workflows/stage-types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout } from './layout.js';
import { jobsDirOf, RUNNER_NAME } from '../ssh/job-script.js';

/** Folders of jobs that ended this long ago are removed from the node (their logs are on the worker). */
export const JOB_RETENTION_DAYS = 14;

interface PruneJson {
  removed: number;
  kept: number;
  freedBytes: number;
}

interface InventoryJson {
  gpuCount: number;
  gpuModel: string | null;
  gpus: Array<{ index: number; name: string }>;
  cuda: string | null;
  driver: string | null;
  efa: { sysfsDevices: number; fiInfo?: { present: boolean; efaDomains?: number } };
  disk: { freeBytes: number | null };
  python: { version: string | null };
  errors: string[];
}

interface PythonEnvJson {
  installed: string[];
  unchanged: string[];
  model?: { id: string; downloaded: boolean } | null;
}

export function nodeOf(cluster: ClusterConfig, name: string): ClusterNode {
  const n = cluster.nodes.find((x) => x.name === name);
  if (!n) throw ApplicationFailure.nonRetryable(`node ${name} is not in cluster ${cluster.name}`, 'ConfigError');
  return n;
}

export function createProvisionActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  return {
    async prepareNode({ cluster, node }: NodeStepInput): Promise<{ summary: string }> {
      const dir = await scripts.scriptsDir(scripts.target(cluster, node));
      // Job folders pile up over many runs (one per step and point); the ended, old ones go.
      const jobsDir = jobsDirOf(await workdirOf(cluster, node));
      const { json } = await scripts.run<PruneJson>(cluster, node, RUNNER_NAME, ['prune', jobsDir, String(JOB_RETENTION_DAYS)]);
      const pruned = json.removed ? `; removed ${json.removed} job folders ended over ${JOB_RETENTION_DAYS} days ago (${(json.freedBytes / 1e6).toFixed(1)} MB)` : '';
      return { summary: `scripts in ${dir}${pruned}` };
    },

    async inventoryNode({ cluster, node }: NodeStepInput): Promise<{ summary: string; warnings: string[] }> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const { json } = await scripts.run<InventoryJson>(cluster, node, 'inventory.sh', ['--workdir', l.workdir, '--venv', l.venv]);
      const n = nodeOf(cluster, node);
      const problems = checkInventory(
        [{ node, gpus: n.gpus.count, gpuModel: n.gpus.model, efaDevices: n.efaDevices }],
        [{ node, gpus: json.gpus, efaDevices: json.efa.sysfsDevices }],
      );
      if (problems.length) {
        throw ApplicationFailure.create({ type: 'InventoryMismatch', nonRetryable: true, message: problems.join('; '), details: [{ node, problems }] });
      }
      const warnings: string[] = [];
      const lf = libfabricWarning(cluster.software.vllm.version, [cluster.network.backend]);
      if (lf && n.role === 'head') warnings.push(lf);
      const freeGb = json.disk.freeBytes ? `${(json.disk.freeBytes / 1e9).toFixed(0)} GB free` : 'disk unknown';
      const gpus = json.gpuCount ? `${json.gpuCount}× ${json.gpuModel}` : 'no GPUs';
      return { summary: `${gpus}, ${json.efa.sysfsDevices} EFA, ${freeGb}, Python ${json.python.version ?? '?'}`, warnings };
    },

    async setupPythonEnv({ cluster, node }: NodeStepInput): Promise<{ summary: string }> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const s = cluster.software;
      const args = [
        '--venv', l.venv, '--python', s.python.version,
        '--pin', `vllm==${s.vllm.version}`, '--pin', `flashinfer-python==${s.flashinfer.version}`, '--pin', `ray[serve,llm]==${s.ray.version}`,
        '--model', cluster.model.id, '--hf-home', l.hfHome,
      ];
      const { json } = await scripts.run<PythonEnvJson>(cluster, node, 'python-env.sh', args, {
        step: 'python-env', hint: 'check that the node reaches the package index and the model hub (or pre-stage the wheels and weights)',
      });
      const pkgs = json.installed.length ? `installed ${json.installed.join(', ')}` : 'packages unchanged';
      const model = json.model ? (json.model.downloaded ? 'model downloaded' : 'model cached') : 'no model';
      return { summary: `${pkgs}; ${model}` };
    },
  };
}
