import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { classifyConnectError, connectionKey } from '../../src/activities/ssh/pool.js';
import { redact, remoteCommandFailed, SshErrorType, type SshEndpoint } from '../../src/activities/ssh/errors.js';
import { Semaphore } from '../../src/activities/ssh/semaphore.js';
import { nodeSpecs, nodeTargets, resolveNodeSpec, type NodeSpec } from '../../src/activities/ssh/targets.js';
import type { ClusterConfig } from '../../src/config/cluster.js';

const ep: SshEndpoint = { node: 'gpu-1', host: '10.0.0.11', port: 22, user: 'ubuntu', identityFile: '/home/me/.ssh/id_ed25519' };

const classifyCases: { name: string; err: unknown; type: string; nonRetryable: boolean; mentions: string[] }[] = [
  {
    name: 'auth failure',
    err: Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }),
    type: SshErrorType.AuthFailed,
    nonRetryable: true,
    mentions: ['ubuntu', '10.0.0.11', '/home/me/.ssh/id_ed25519'],
  },
  { name: 'refused', err: Object.assign(new Error('connect ECONNREFUSED 10.0.0.11:22'), { code: 'ECONNREFUSED' }), type: SshErrorType.Unreachable, nonRetryable: false, mentions: ['ECONNREFUSED', '10.0.0.11'] },
  { name: 'reset', err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), type: SshErrorType.Unreachable, nonRetryable: false, mentions: ['ECONNRESET'] },
  { name: 'handshake timeout', err: Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }), type: SshErrorType.Unreachable, nonRetryable: false, mentions: ['handshake'] },
  { name: 'bad key', err: new Error('Cannot parse privateKey: Unsupported key format'), type: SshErrorType.KeyUnreadable, nonRetryable: true, mentions: ['/home/me/.ssh/id_ed25519'] },
];
for (const c of classifyCases) {
  test(`classifyConnectError: ${c.name}`, () => {
    const f = classifyConnectError(c.err, ep);
    assert.ok(f instanceof ApplicationFailure);
    assert.equal(f.type, c.type);
    assert.equal(f.nonRetryable, c.nonRetryable);
    for (const m of c.mentions) assert.ok(f.message.includes(m), `${f.message} mentions ${m}`);
  });
}

test('classifyConnectError prefers a recorded host key refusal', () => {
  const refusal = ApplicationFailure.create({ type: SshErrorType.HostKeyMismatch, nonRetryable: true, message: 'changed' });
  assert.equal(classifyConnectError(new Error('Host denied (verification failed)'), ep, refusal), refusal);
});

test('remoteCommandFailed names node, command, exit code and tail; retryable per caller', () => {
  const f = remoteCommandFailed({ node: 'gpu-1', command: "'make' -j8", exitCode: 2, tail: 'error: x', retryable: false, hint: 'Fix the build.' });
  assert.equal(f.type, SshErrorType.RemoteCommandFailed);
  assert.equal(f.nonRetryable, true);
  for (const m of ['gpu-1', "'make' -j8", 'code 2', 'error: x', 'Fix the build.']) assert.ok(f.message.includes(m), m);
  assert.equal(remoteCommandFailed({ node: 'n', command: 'c', exitCode: 1, tail: '', retryable: true }).nonRetryable, false);
});

test('redact replaces every secret, longest first', () => {
  assert.equal(redact('a=abc, b=abcdef', ['abc', 'abcdef']), 'a=***, b=***');
  assert.equal(redact('nothing', ['']), 'nothing');
});

test('Semaphore bounds concurrency and hands slots over in order', async () => {
  const sem = new Semaphore(2);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const release = await sem.acquire();
      active++;
      peak = Math.max(peak, active);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      release();
      release(); // double release is harmless
    }),
  );
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(sem.active, 0);
  assert.throws(() => new Semaphore(0));
});

const cluster = {
  name: 'c',
  ssh: { user: 'ubuntu', port: 22, identityFile: '~/.ssh/id_ed25519', knownHosts: '~/.ssh/known_hosts', hostKeyPolicy: 'strict', connectTimeoutSeconds: 10, jumpHost: { host: 'bastion', port: 2200 } },
  nodes: [
    { name: 'head', host: '10.0.0.10', role: 'head', gpus: { count: 0 }, efaDevices: 0, workdir: '~/pdflow', env: {} },
    {
      name: 'gpu-1', host: '10.0.0.11', role: 'worker', gpus: { count: 8 }, efaDevices: 32, user: 'ec2-user', port: 2222, workdir: '/opt/pdflow',
      env: { NCCL_DEBUG: 'WARN', HF_TOKEN: { fromWorkerEnv: 'MY_HF_TOKEN', secret: true }, REGION: { fromWorkerEnv: 'MY_REGION', secret: false } },
    },
  ],
} as unknown as ClusterConfig;

test('nodeSpecs: per-node overrides, jump host user default, secrets named not resolved', () => {
  const [head, gpu] = nodeSpecs(cluster) as [NodeSpec, NodeSpec];
  assert.equal(head.user, 'ubuntu');
  assert.equal(head.port, 22);
  assert.equal(gpu.user, 'ec2-user');
  assert.equal(gpu.port, 2222);
  assert.equal(gpu.workdir, '/opt/pdflow');
  assert.deepEqual(gpu.jumpHost, { host: 'bastion', port: 2200, user: 'ubuntu' });
  assert.deepEqual(gpu.env, { NCCL_DEBUG: 'WARN' });
  assert.deepEqual(gpu.secretEnvFrom, { HF_TOKEN: 'MY_HF_TOKEN' });
  assert.deepEqual(gpu.envFrom, { REGION: 'MY_REGION' });
  assert.ok(!JSON.stringify(gpu).includes('hf_live'));
});

test('nodeTargets resolves worker env and expands ~ in worker paths', () => {
  const targets = nodeTargets(cluster, { MY_HF_TOKEN: 'hf_live', MY_REGION: 'us-east-1' });
  const gpu = targets[1]!;
  assert.deepEqual(gpu.secretEnv, { HF_TOKEN: 'hf_live' });
  assert.equal(gpu.env.REGION, 'us-east-1');
  assert.ok(!gpu.identityFile.startsWith('~'));
  assert.ok(gpu.identityFile.endsWith('/.ssh/id_ed25519'));
  assert.equal(targets[0]!.workdir, '~/pdflow', 'the node workdir is resolved on the node, not here');
});

test('a missing worker variable fails non-retryably, naming node, variable and fix', () => {
  const spec = nodeSpecs(cluster)[1]!;
  assert.throws(
    () => resolveNodeSpec(spec, { MY_REGION: 'x' }),
    (e: ApplicationFailure) => e.nonRetryable === true && /gpu-1/.test(e.message) && /MY_HF_TOKEN/.test(e.message) && /Export/.test(e.message),
  );
});

test('connectionKey differs by user, port, key and jump host', () => {
  const base = { name: 'n', host: 'h', port: 22, user: 'u', identityFile: '/k', knownHosts: '/kh', hostKeyPolicy: 'strict' as const };
  const keys = new Set([
    connectionKey(base),
    connectionKey({ ...base, user: 'v' }),
    connectionKey({ ...base, port: 23 }),
    connectionKey({ ...base, identityFile: '/k2' }),
    connectionKey({ ...base, jumpHost: { host: 'b', port: 22, user: 'u' } }),
  ]);
  assert.equal(keys.size, 5);
});
