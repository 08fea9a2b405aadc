// What the SSH layer needs to reach one node. A NodeTarget lives on the worker only: its
// secretEnv holds values resolved from the worker's environment. Workflows pass a NodeSpec
// (names of worker variables, never their values) and activities resolve it here.
import { ApplicationFailure } from '@temporalio/common';
import type { HostKeyPolicy } from './host-keys.js';
import { secretEnvStdin } from './quote.js';
import { expandHome } from '../../config-io/home.js';
import type { ClusterConfig } from '../../config/cluster.js';

export interface JumpHost {
  host: string;
  port: number;
  user: string;
}

export interface NodeTarget {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Path of the private key on the worker (never the key itself). */
  identityFile: string;
  /** Path of the known_hosts file on the worker. */
  knownHosts: string;
  hostKeyPolicy: HostKeyPolicy;
  /** Folder on the node for scripts and jobs; a leading `~` means the remote user's home. */
  workdir: string;
  /** Plain environment for every command on the node. */
  env: Record<string, string>;
  /** Secret environment, resolved on the worker; redacted from every error and log line. */
  secretEnv?: Record<string, string>;
  jumpHost?: JumpHost;
  connectTimeoutSeconds?: number;
}

/** A NodeTarget as it may travel through workflow history: secrets named, not included. */
export type NodeSpec = Omit<NodeTarget, 'secretEnv'> & {
  /** Remote variable name -> name of the WORKER's environment variable holding the secret value. */
  secretEnvFrom?: Record<string, string>;
  /** Same, for values that are not secret (not redacted). */
  envFrom?: Record<string, string>;
};

/** `~` and `~/x` on the worker become absolute paths (the one rule config-io reads files by). */
export const expandWorkerPath = expandHome;

/** Resolves a spec on the worker: key paths expanded, secret variables read from process.env. */
export function resolveNodeSpec(spec: NodeSpec, workerEnv: NodeJS.ProcessEnv = process.env): NodeTarget {
  const { secretEnvFrom, envFrom, ...rest } = spec;
  const secretEnv: Record<string, string> = {};
  const env: Record<string, string> = { ...rest.env };
  const read = (name: string, from: string): string => {
    const value = workerEnv[from];
    if (value === undefined || value === '') {
      throw ApplicationFailure.create({
        type: 'WorkerEnvMissing',
        nonRetryable: true,
        message: `node ${spec.name}: env ${name} should come from the worker's environment variable ${from}, which is not set on this worker. Export ${from} before starting the worker.`,
        details: [{ node: spec.name, name, fromWorkerEnv: from }],
      });
    }
    return value;
  };
  for (const [name, from] of Object.entries(envFrom ?? {})) env[name] = read(name, from);
  for (const [name, from] of Object.entries(secretEnvFrom ?? {})) secretEnv[name] = read(name, from);
  return {
    ...rest,
    env,
    identityFile: expandWorkerPath(rest.identityFile),
    knownHosts: expandWorkerPath(rest.knownHosts),
    secretEnv,
  };
}

/** The secret values of a target, for redaction. */
export function secretValues(target: NodeTarget): string[] {
  return Object.values(target.secretEnv ?? {});
}

/**
 * A command's environment split for buildCommand: plain values go on the command line, secret
 * ones travel on stdin (their names and the stdin prefix that carries them). `extra` (the
 * step's own env) is plain and wins over both.
 */
export function splitCommandEnv(target: NodeTarget, extra: Record<string, string> = {}): { env: Record<string, string>; secretEnvNames: string[]; stdinPrefix: string } {
  const secret: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.secretEnv ?? {})) if (!(k in extra)) secret[k] = v;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...target.env, ...extra })) if (!(k in secret)) env[k] = v;
  return { env, secretEnvNames: Object.keys(secret), stdinPrefix: secretEnvStdin(secret) };
}

/** The stdin a command gets: the secret lines first, then its own input. */
export function withStdinPrefix(prefix: string, stdin?: string | Buffer): string | Buffer | undefined {
  if (prefix === '') return stdin;
  if (stdin === undefined) return prefix;
  return Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8')]);
}

/**
 * The cluster's nodes as NodeSpecs (no secret values: safe to pass through workflow history).
 * Per-node user/port override ssh.*; `{ fromWorkerEnv }` values become worker-resolved names.
 */
export function nodeSpecs(cluster: ClusterConfig): NodeSpec[] {
  const ssh = cluster.ssh;
  return cluster.nodes.map((n) => {
    const env: Record<string, string> = {};
    const secretEnvFrom: Record<string, string> = {};
    const envFrom: Record<string, string> = {};
    for (const [name, v] of Object.entries(n.env)) {
      if (typeof v === 'string') env[name] = v;
      else if (v.secret) secretEnvFrom[name] = v.fromWorkerEnv;
      else envFrom[name] = v.fromWorkerEnv;
    }
    return {
      name: n.name,
      host: n.host,
      port: n.port ?? ssh.port,
      user: n.user ?? ssh.user,
      identityFile: ssh.identityFile,
      knownHosts: ssh.knownHosts,
      hostKeyPolicy: ssh.hostKeyPolicy,
      workdir: n.workdir,
      env,
      secretEnvFrom,
      envFrom,
      jumpHost: ssh.jumpHost ? { host: ssh.jumpHost.host, port: ssh.jumpHost.port, user: ssh.jumpHost.user ?? ssh.user } : undefined,
      connectTimeoutSeconds: ssh.connectTimeoutSeconds,
    };
  });
}

/** Every node of the cluster as a NodeTarget, secrets resolved from this worker's environment. */
export function nodeTargets(cluster: ClusterConfig, workerEnv: NodeJS.ProcessEnv = process.env): NodeTarget[] {
  return nodeSpecs(cluster).map((s) => resolveNodeSpec(s, workerEnv));
}

/** One node of the cluster by name, as a NodeTarget. */
export function nodeTarget(cluster: ClusterConfig, nodeName: string, workerEnv: NodeJS.ProcessEnv = process.env): NodeTarget {
  const spec = nodeSpecs(cluster).find((s) => s.name === nodeName);
  if (!spec) {
    throw ApplicationFailure.create({
      type: 'UnknownNode',
      nonRetryable: true,
      message: `cluster ${cluster.name} has no node "${nodeName}"; its nodes are ${cluster.nodes.map((n) => n.name).join(', ')}`,
    });
  }
  return resolveNodeSpec(spec, workerEnv);
}
