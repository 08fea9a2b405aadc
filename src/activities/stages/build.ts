// Build activities: UCX with EFA, then NIXL against it, each a re-attachable remote job that
// the script itself skips when its marker and the installed tool agree.
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterConfig, SoftwarePin } from '../../config/index.js';
import { judgeNixlInstall, nixlBuildJsonSchema, parseBuildJson, ParseError, ucxBuildFacts, ucxBuildJsonSchema } from '../../parse/index.js';
import type { NodeStepInput } from '../types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout } from './layout.js';
import { nodeOf } from './provision.js';

/** A script's JSON line checked against its schema; a mismatch or unreadable tool output is non-retryable. */
function checked<T>(what: () => T, node: string, script: string): T {
  try {
    return what();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw ApplicationFailure.create({ type: 'RemoteOutputInvalid', nonRetryable: true, message: `node ${node}: ${err.message} (${script})` });
  }
}

/** --src and --ref for a source pin: a git URL and ref, or a path on the node. */
function sourceArgs(pin: SoftwarePin, what: string): string[] {
  const src = pin.source;
  if (typeof src === 'object' && 'git' in src) return ['--src', src.git, '--ref', src.ref];
  if (typeof src === 'object' && 'path' in src) return ['--src', src.path];
  throw ApplicationFailure.nonRetryable(`software.${what}.source is "${String(src)}", but ${what} is built from source: give { git, ref } or { path }`, 'ConfigError');
}

export function createBuildActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  return {
    async buildUcx({ cluster, node }: NodeStepInput): Promise<{ summary: string; version: string | null; srdDevices: number }> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const n = nodeOf(cluster, node);
      const withEfa = n.efaDevices > 0 ? 'yes' : 'no';
      const { json: raw } = await scripts.run<unknown>(cluster, node, 'build-ucx.sh', [
        ...sourceArgs(cluster.software.ucx, 'ucx'), '--prefix', l.ucxPrefix, '--with-efa', withEfa, '--build-root', l.buildRoot,
      ], { step: 'build-ucx', hint: 'read the configure/make output in the log; EFA needs rdma-core headers (libefa) on the node' });
      const json = checked(() => parseBuildJson(ucxBuildJsonSchema, raw, 'build-ucx.sh'), node, 'build-ucx.sh');
      const facts = checked(() => ucxBuildFacts(json), node, 'ucx_info');
      // The gate: with EFA devices and srd expected, every EFA device must offer srd.
      if (n.efaDevices > 0 && cluster.network.expectedTransport === 'srd' && facts.srdDevices < n.efaDevices) {
        throw ApplicationFailure.create({
          type: 'GateFailed', nonRetryable: true,
          message: `node ${node}: UCX ${facts.version} lists srd on ${facts.srdDevices} of ${n.efaDevices} EFA devices (ucx_info -d). ` +
            'UCX was built without EFA support: install the EFA software (rdma-core with libefa), rebuild with --with-efa (delete the build marker or use --force), and check `ucx_info -d | grep srd`.',
        });
      }
      const efa = n.efaDevices > 0 ? `, srd on ${facts.srdDevices} devices` : '';
      return { summary: `UCX ${facts.version} ${json.status}${efa}`, version: facts.version, srdDevices: facts.srdDevices };
    },

    async buildNixl({ cluster, node }: NodeStepInput): Promise<{ summary: string; version: string | null; plugins: string[] }> {
      const l = nodeLayout(await workdirOf(cluster, node));
      const { json: raw } = await scripts.run<unknown>(cluster, node, 'build-nixl.sh', [
        ...sourceArgs(cluster.software.nixl, 'nixl'), '--ucx-prefix', l.ucxPrefix, '--prefix', l.nixlPrefix, '--venv', l.venv, '--build-root', l.buildRoot,
      ], { step: 'build-nixl', hint: 'read the meson/ninja/pip output in the log; NIXL needs the UCX build of this node and the venv' });
      const json = checked(() => parseBuildJson(nixlBuildJsonSchema, raw, 'build-nixl.sh'), node, 'build-nixl.sh');
      // The gate: the venv must import this build (ray[llm] pulls PyPI's nixl, whose UCX has no EFA).
      const verdict = judgeNixlInstall(json.python, json.ucxPrefix);
      if (verdict.problem) throw ApplicationFailure.create({ type: 'GateFailed', nonRetryable: true, message: `node ${node}: ${verdict.problem}` });
      const repaired = json.repairedPypiWheel ? ' (replaced the PyPI nixl wheel)' : '';
      return { summary: `NIXL ${json.version} ${json.status}${repaired}`, version: json.version, plugins: json.plugins };
    },
  };
}
