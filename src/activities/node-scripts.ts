// Runs one of our scripts/remote/ scripts on a node: uploads the scripts when they changed,
// then runs the script as a short exec or as a re-attachable remote job, and returns the one
// JSON line every script ends with.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterConfig } from '../config/cluster.js';
import type { SshPool } from './ssh/pool.js';
import { execOnNode } from './ssh/exec.js';
import { lastJsonLine, runRemoteJob, type JobWatch } from './ssh/remote-job.js';
import { defaultJobId, runIdOf } from './remote.js';
import { uploadScripts } from './ssh/upload.js';
import { resolveWorkdir } from './ssh/workdir.js';
import { nodeTarget, type NodeTarget } from './ssh/targets.js';
import { heartbeatWhile } from './heartbeat.js';

export interface ScriptRunOptions {
  /** Run as a remote job with this step name (long steps); otherwise a short exec. */
  step?: string;
  /** A job of this step found running longer than this is hung: killed and started afresh (see JobCommand). */
  hungAfterSeconds?: number;
  /** Jobs only: a check beside the running job that stops it when its work can no longer succeed. */
  watch?: JobWatch;
  env?: Record<string, string>;
  /** What to do when the script fails, for the message. */
  hint?: string;
  /** Whether a failure may be retried; default true. */
  retryable?: boolean;
  timeoutMs?: number;
  /** Program that runs the script; default bash for .sh, python3 for .py. */
  interpreter?: string;
}

export interface ScriptRun<T> {
  node: string;
  json: T;
  logTail: string;
  /** Whether this attempt re-attached to a job an earlier attempt started. */
  attached: boolean;
}

export interface NodeScriptDeps {
  pool: () => SshPool;
  runsDir: string;
}

export function createNodeScripts(deps: NodeScriptDeps) {
  const target = (cluster: ClusterConfig, node: string): NodeTarget => nodeTarget(cluster, node);

  async function scriptsDir(t: NodeTarget): Promise<string> {
    await uploadScripts(deps.pool(), t, { signal: Context.current().cancellationSignal });
    return `${await resolveWorkdir(deps.pool(), t)}/scripts`;
  }

  async function run<T>(cluster: ClusterConfig, node: string, script: string, args: string[], o: ScriptRunOptions = {}): Promise<ScriptRun<T>> {
    const t = target(cluster, node);
    const dir = await heartbeatWhile({ node, script, uploading: true }, () => scriptsDir(t));
    const argv = [o.interpreter ?? (script.endsWith('.py') ? 'python3' : 'bash'), `${dir}/${script}`, ...args];
    if (o.step) {
      const workflowId = runIdOf(Context.current());
      const r = await runRemoteJob({ pool: deps.pool(), runsDir: deps.runsDir, workflowId }, t, {
        jobId: defaultJobId(o.step, t), step: o.step, argv, env: o.env, hint: o.hint, retryable: o.retryable,
        ...(o.hungAfterSeconds !== undefined ? { hungAfterSeconds: o.hungAfterSeconds } : {}),
        ...(o.watch ? { watch: o.watch } : {}),
      });
      return { node, json: expectJson<T>(r.stdoutJson, node, script, r.logTail), logTail: r.logTail, attached: r.attached };
    }
    // A short exec may still outlast a heartbeat timeout (`ray.sh stop` waits up to 15 s for its
    // session to end): the worker says it is alive while it waits, so the attempt is not lost.
    const r = await heartbeatWhile({ node, script }, () => execOnNode(deps.pool(), t, argv, { env: o.env, hint: o.hint, retryable: o.retryable, timeoutMs: o.timeoutMs, signal: Context.current().cancellationSignal }));
    return { node, json: expectJson<T>(lastJsonLine(r.stdout), node, script, r.stdout), logTail: r.stdout.split('\n').slice(-20).join('\n'), attached: false };
  }

  return { run, target, scriptsDir };
}

export type NodeScripts = ReturnType<typeof createNodeScripts>;

function expectJson<T>(json: unknown, node: string, script: string, tail: string): T {
  if (json === undefined || json === null || typeof json !== 'object') {
    throw ApplicationFailure.create({
      type: 'RemoteOutputInvalid',
      message: `${script} on ${node} ended without its JSON result line. Log tail:\n${tail.split('\n').slice(-15).join('\n')}`,
    });
  }
  return json as T;
}
