// Provision activities: scripts on the node, its inventory checked against the cluster file,
// and the pinned Python stack with the model weights.
import { ApplicationFailure } from '@temporalio/common';
import {
  checkInventory, installCommand, libfabricWarning, missingPrerequisites, packageManagerOf, prerequisitesMessage, readInventory, type PackageManager,
} from '../../parse/index.js';
import type { ClusterConfig, ClusterNode } from '../../config/index.js';
import type { NodeStepInput } from '../types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout } from './layout.js';
import { describePythonEnv, parsePythonEnvJson } from '../../parse/python-env.js';
import { NODE_CONSTRAINTS_FILE, nodePins, weightsFor } from '../../plan/node-stack.js';
import { jobsDirOf, RUNNER_NAME } from '../ssh/job-script.js';
import { identityOfInventory, type NodeIdentity } from '../../analysis/node-identity.js';

/** Folders of jobs that ended this long ago are removed from the node (their logs are on the worker). */
export const JOB_RETENTION_DAYS = 14;

interface PruneJson {
  removed: number;
  kept: number;
  freedBytes: number;
}

export interface PrerequisiteInstall {
  manager: PackageManager;
  packages: string[];
}

export interface InventoryResult {
  summary: string;
  warnings: string[];
  /** Missing build prerequisites provision may install (cluster file: provision.installPrerequisites). */
  install?: PrerequisiteInstall;
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

    async inventoryNode({ cluster, node }: NodeStepInput): Promise<InventoryResult> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const python = cluster.software.python.version;
      const { json } = await scripts.run<unknown>(cluster, node, 'inventory.sh', ['--workdir', l.workdir, '--venv', l.venv, '--python', python]);
      const inv = readInventory(json);
      const n = nodeOf(cluster, node);
      const problems = checkInventory(
        [{ node, gpus: n.gpus.count, gpuModel: n.gpus.model, efaDevices: n.efaDevices }],
        [{ node, gpus: inv.gpus, efaDevices: inv.efaDevices.length, ...(inv.fiInfo?.note ? { efaNote: inv.fiInfo.note } : {}) }],
      );
      if (problems.length && inv.gpuNote && n.gpus.count > 0) problems.push(`node ${node}: ${inv.gpuNote}`);
      if (problems.length) {
        throw ApplicationFailure.create({ type: 'InventoryMismatch', nonRetryable: true, message: problems.join('; '), details: [{ node, problems }] });
      }
      const missing = missingPrerequisites(inv.prerequisites, python);
      const manager = packageManagerOf(inv.prerequisites.os.id);
      if (missing.length && !(cluster.provision.installPrerequisites && manager)) {
        const message = prerequisitesMessage(node, inv.prerequisites, python)!;
        throw ApplicationFailure.create({ type: 'MissingPrerequisites', nonRetryable: true, message, details: [{ node, missing }] });
      }
      const warnings: string[] = [];
      const lf = libfabricWarning(cluster.software.vllm.version, [cluster.network.backend]);
      if (lf && n.role === 'head') warnings.push(lf);
      const freeGb = inv.disk.freeBytes ? `${(inv.disk.freeBytes / 1e9).toFixed(0)} GB free` : 'disk unknown';
      const gpus = inv.gpus.length ? `${inv.gpus.length}× ${inv.gpus[0]!.name}` : 'no GPUs';
      const summary = `${gpus}, ${inv.efaDevices.length} EFA, ${freeGb}, Python ${inv.python.version ?? '?'}`;
      return { summary, warnings, ...(missing.length && manager ? { install: { manager, packages: [...new Set(missing.map((m) => m.package))] } } : {}) };
    },

    /**
     * What a GPU node is and runs, for the records' identity: its inventory with the venv's
     * packages, the built UCX and the cached model revision. Judges nothing (provision did).
     */
    async identifyNode({ cluster, node }: NodeStepInput): Promise<NodeIdentity> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const args = ['--workdir', l.workdir, '--venv', l.venv, '--python', cluster.software.python.version, '--ucx-prefix', l.ucxPrefix];
      if (cluster.model.source === 'huggingface') args.push('--model', cluster.model.id, '--hf-home', l.hfHome);
      const { json } = await scripts.run<unknown>(cluster, node, 'inventory.sh', args);
      return identityOfInventory(node, readInventory(json));
    },

    /** Only when the cluster file says provision.installPrerequisites: true (inventoryNode asked for it). */
    async installPrerequisites({ cluster, node, install }: NodeStepInput & { install: PrerequisiteInstall }): Promise<{ summary: string }> {
      if (!cluster.provision.installPrerequisites) {
        throw ApplicationFailure.nonRetryable(`node ${node}: provision.installPrerequisites is false; not installing ${install.packages.join(' ')}`, 'ConfigError');
      }
      await scripts.run<unknown>(cluster, node, 'install-prereqs.sh', ['--manager', install.manager, ...install.packages], {
        step: 'prerequisites', retryable: false, hint: `install them by hand: ${installCommand(install.manager === 'dnf' ? 'amzn' : 'ubuntu', install.packages)}`,
      });
      return { summary: `installed ${install.packages.join(' ')} with ${install.manager}` };
    },

    async setupPythonEnv({ cluster, node }: NodeStepInput): Promise<{ summary: string }> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const s = cluster.software;
      const n = nodeOf(cluster, node);
      const dir = await scripts.scriptsDir(scripts.target(cluster, node));
      const weights = weightsFor(n);
      const args = [
        '--venv', l.venv, '--python', s.python.version,
        ...nodePins(s).flatMap((p) => ['--pin', p]),
        '--constraints', `${dir}/${NODE_CONSTRAINTS_FILE}`,
        ...(cluster.model.source === 'huggingface' ? ['--model', cluster.model.id, '--weights', weights] : []),
        '--hf-home', l.hfHome,
      ];
      const { json } = await scripts.run<unknown>(cluster, node, 'python-env.sh', args, {
        step: 'python-env', hint: 'check that the node reaches the package index and the model hub (or pre-stage the wheels and weights)',
      });
      return { summary: describePythonEnv(parsePythonEnvJson(json)) };
    },
  };
}
