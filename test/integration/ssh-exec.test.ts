// The SSH layer against real sim sshd nodes: pool reuse, channel bound, reconnect, host keys,
// credentials, jump host, output cap, secret redaction, injection, script upload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ApplicationFailure } from '@temporalio/common';
import { startSimCluster, type SimCluster } from '../../src/sim/index.js';
import { ClusterSchema } from '../../src/config/cluster.js';
import { SshPool } from '../../src/activities/ssh/pool.js';
import { execOnNode } from '../../src/activities/ssh/exec.js';
import { jobPathsFor, jobStatus, runRemoteJob, startOrAttachJob, type ActivityHooks } from '../../src/activities/ssh/remote-job.js';
import { uploadScripts, readScriptBundle } from '../../src/activities/ssh/upload.js';
import { nodeTargets, type NodeTarget } from '../../src/activities/ssh/targets.js';
import { fingerprint } from '../../src/activities/ssh/host-keys.js';

let sim: SimCluster;
let dir: string;
let head: NodeTarget;
let worker: NodeTarget;
const pools: SshPool[] = [];
const newPool = (o?: ConstructorParameters<typeof SshPool>[0]) => {
  const p = new SshPool(o);
  pools.push(p);
  return p;
};

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-ssh-exec-'));
  sim = await startSimCluster({ dir: path.join(dir, 'sim'), workers: 1, firstHostOctet: 181 });
  [head, worker] = nodeTargets(ClusterSchema.parse(YAML.parse(readFileSync(sim.clusterFile, 'utf8')))) as [NodeTarget, NodeTarget];
});

after(async () => {
  for (const p of pools) await p.closeAll();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  throw new Error('expected a failure');
}

const pwned = () => readdirSync('/tmp').filter((f) => f.startsWith('pwned-')).length;

void test('(f) exec: `x; touch /tmp/pwned-$RANDOM` arrives as ONE literal argument; no file is created', async () => {
  const pool = newPool();
  const evil = 'x; touch /tmp/pwned-$RANDOM';
  const before = pwned();
  const args = [evil, "it's", '', 'a\nb', 'ünï 模型', '$(id)', '*'];
  const r = await execOnNode(pool, head, ['python3', '-c', 'import json, sys; print(json.dumps(sys.argv[1:]))', ...args]);
  assert.deepEqual(JSON.parse(r.stdout), args);
  const withEnvAndCwd = await execOnNode(pool, head, ['sh', '-c', 'printf "%s|%s" "$EVIL" "$(pwd)"'], { env: { EVIL: evil }, cwd: head.workdir });
  assert.equal(withEnvAndCwd.stdout, `${evil}|${head.workdir}`);
  assert.equal(pwned(), before);
});

void test('the pool reuses one connection per node and bounds concurrent channels', async () => {
  const pool = newPool({ maxChannelsPerNode: 3 });
  for (let i = 0; i < 10; i++) assert.equal((await execOnNode(pool, head, ['echo', String(i)])).stdout, `${i}\n`);
  assert.equal(pool.connectCount(head), 1);
  let peak = 0;
  const sem = () => pool.channelsOf(head)!;
  const sampler = setInterval(() => (peak = Math.max(peak, sem().active)), 5);
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 9 }, () => execOnNode(pool, head, ['sleep', '0.3'])));
  clearInterval(sampler);
  assert.equal(peak, 3);
  assert.ok(Date.now() - t0 >= 850, 'nine 0.3 s commands, three at a time, take three rounds');
  assert.equal(pool.connectCount(head), 1);
});

void test('a dropped connection is noticed and re-opened on next use', async () => {
  const pool = newPool();
  await execOnNode(pool, worker, ['true']);
  await sim.fault('worker-1', { kind: 'drop' });
  const r = await execOnNode(pool, worker, ['echo', 'back']);
  assert.equal(r.stdout, 'back\n');
  assert.equal(pool.connectCount(worker), 2);
});

void test('a command cut off by a drop fails retryably (SshConnectionLost), naming node and command', async () => {
  const pool = newPool();
  const failed = failure(execOnNode(pool, worker, ['sleep', '5']));
  await new Promise((r) => setTimeout(r, 500));
  await sim.fault('worker-1', { kind: 'drop' });
  const f = await failed;
  assert.equal(f.type, 'SshConnectionLost');
  assert.equal(f.nonRetryable, false);
  assert.match(f.message, /worker-1/);
  assert.match(f.message, /'sleep' 5/);
});

void test('non-zero exit: RemoteCommandFailed with exit code and stderr tail; retryable per option', async () => {
  const pool = newPool();
  const f = await failure(execOnNode(pool, head, ['sh', '-c', 'echo some output; echo "boom: disk full" >&2; exit 7'], { retryable: false, hint: 'Free some disk.' }));
  assert.equal(f.type, 'RemoteCommandFailed');
  assert.equal(f.nonRetryable, true);
  for (const m of ['head', 'code 7', 'boom: disk full', 'Free some disk.']) assert.ok(f.message.includes(m), m);
  const unchecked = await execOnNode(pool, head, ['sh', '-c', 'exit 3'], { check: false });
  assert.equal(unchecked.exitCode, 3);
});

void test('secret env values reach the command but never an error, log or result', async () => {
  const pool = newPool();
  const secret = 'hf_s3cr3t_VALUE_42';
  const target: NodeTarget = { ...head, secretEnv: { HF_TOKEN: secret } };
  const ok = await execOnNode(pool, target, ['sh', '-c', 'test "$HF_TOKEN" = hf_s3cr3t_VALUE_42 && echo "token is $HF_TOKEN"']);
  assert.equal(ok.stdout, 'token is ***\n');
  const f = await failure(execOnNode(pool, target, ['sh', '-c', 'echo "using $HF_TOKEN" >&2; exit 1']));
  assert.ok(!f.message.includes(secret), f.message);
  assert.ok(!JSON.stringify(f.details).includes(secret));
  assert.match(f.message, /using \*\*\*/);
});

void test('secret values never appear in a process\'s command line on the node, for commands and for detached jobs', async () => {
  const pool = newPool();
  const secret = 'hf_s3cr3t_PS_CHECK_77';
  const target: NodeTarget = { ...head, secretEnv: { HF_TOKEN: secret }, env: { ...head.env, PLAIN: 'visible' } };
  // A command that snapshots every process's argv while it runs (the command text itself carries
  // no value: test/unit/ssh-quote.test.ts; the values arrive through stdin, checked here).
  const psFile = path.join(dir, 'ps-exec.txt');
  const seen = path.join(dir, 'exec-env.txt');
  const r = await execOnNode(pool, target, ['sh', '-c', 'ps -eo args > "$1"; printf %s "$HF_TOKEN" > "$2"; echo "$PLAIN"', 'sh', psFile, seen], { cwd: dir });
  assert.equal(r.stdout, 'visible\n');
  assert.equal(readFileSync(seen, 'utf8'), secret);
  const ps = readFileSync(psFile, 'utf8');
  assert.match(ps, /ps -eo args/);
  assert.ok(!ps.includes(secret), `the secret is in the process list:\n${ps}`);

  // A detached job inherits the secret; its start command does not show it either.
  const jobPs = path.join(dir, 'ps-job.txt');
  const envOut = path.join(dir, 'job-env.txt');
  const job = await startOrAttachJob(pool, target, {
    jobId: `secret-check-${Date.now()}`,
    argv: ['sh', '-c', 'ps -eo args > "$1"; printf %s "$HF_TOKEN" > "$2"', 'sh', jobPs, envOut],
    cwd: dir,
  });
  for (let i = 0; i < 100 && (await jobStatus(pool, target, job.paths)).state !== 'exited'; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal((await jobStatus(pool, target, job.paths)).exitCode, 0);
  assert.equal(readFileSync(envOut, 'utf8'), secret);
  assert.ok(!readFileSync(jobPs, 'utf8').includes(secret), 'the secret is in the process list of the job');
  assert.ok(!readFileSync(path.join(job.paths.jobDir, 'command'), 'utf8').includes(secret), 'the job\'s command file holds the secret');
});

void test('a job still running past hungAfterSeconds is killed, archived and started afresh; a younger one is re-attached to', async () => {
  const pool = newPool();
  const counter = path.join(dir, 'hung-counter');
  const job = { jobId: `hung-${Date.now()}`, argv: ['sh', '-c', 'echo started >> "$1"; exec sleep 60', 'sh', counter], cwd: dir };
  const first = await startOrAttachJob(pool, head, job);
  assert.equal(first.started, true);
  const pid = first.status.pid!;
  await new Promise((res) => setTimeout(res, 2500));
  // A retry after a worker crash: the job is younger than the limit, so it is the one to wait on.
  const young = await startOrAttachJob(pool, head, { ...job, hungAfterSeconds: 30 });
  assert.deepEqual([young.started, young.killedHung, young.status.pid], [false, undefined, pid]);
  assert.ok((young.status.runningSeconds ?? -1) >= 2, JSON.stringify(young.status));
  // A retry after a timed-out attempt: it has run past the limit, so it hangs.
  const again = await startOrAttachJob(pool, head, { ...job, hungAfterSeconds: 2 });
  assert.equal(again.started, true);
  assert.equal(again.killedHung, true);
  assert.match(again.archived ?? '', /\.attempt-1$/);
  assert.notEqual(again.status.pid, pid);
  assert.ok(!existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), 'the hung job\'s process still runs');
  assert.equal(readFileSync(counter, 'utf8'), 'started\nstarted\n');
  await execOnNode(pool, head, ['bash', again.paths.runner, 'kill', again.paths.jobDir, '1']);
});

void test('a watched job is stopped once its watch says twice in a row that it cannot succeed (non-retryable RemoteJobStopped); one bad answer is a blip', async () => {
  const pool = newPool();
  const warnings: string[] = [];
  const hooks: ActivityHooks = {
    heartbeat: () => undefined, signal: new AbortController().signal, sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    heartbeatDetails: undefined, log: { info: () => undefined, warn: (m) => { warnings.push(m); } },
    cancelReason: () => undefined, workerShutdown: () => false,
  };
  // The deployment "dies" at the 3rd check; the 2nd was a blip.
  const answers = [undefined, 'a blip', undefined, 'Serve says the application is DEPLOYING', 'Serve says the application is DEPLOYING'];
  let checks = 0;
  const jobId = `watched-${Date.now()}`;
  const t0 = Date.now();
  const err = await failure(runRemoteJob({ pool, runsDir: path.join(dir, 'runs'), workflowId: 'watch-test', hooks }, head, {
    jobId, step: 'bench-watched', argv: ['sleep', '60'], cwd: dir,
    watch: { everyMs: 300, check: async () => answers[checks++] },
  }));
  assert.equal(err.type, 'RemoteJobStopped');
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /bench-watched on head was stopped after \d+ s: Serve says the application is DEPLOYING/);
  assert.equal(checks, 5, 'stopped at the second bad answer in a row, not at the blip');
  assert.ok(Date.now() - t0 < 20_000, `stopped in ${Date.now() - t0} ms`);
  assert.ok(warnings.some((w) => w.includes('a blip (1 of 2 checks in a row)')), warnings.join('\n'));
  const st = await jobStatus(pool, head, await jobPathsFor(pool, head, jobId));
  assert.ok(st.state !== 'running' && st.state !== 'starting', `the stopped job no longer runs: ${JSON.stringify(st)}`);
});

void test('output is capped per stream (the tail is kept)', async () => {
  const pool = newPool();
  const r = await execOnNode(pool, head, ['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" a; echo END'], { maxOutputBytes: 1000 });
  assert.equal(r.stdout.length, 1000);
  assert.ok(r.stdout.endsWith('aEND\n'));
  assert.equal(r.truncated, true);
});

void test('(e) a changed host key is refused, naming host, user, key path and both fingerprints', async () => {
  const other = path.join(dir, 'other_host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const otherPub = readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/);
  const knownHosts = path.join(dir, 'known_hosts_changed');
  writeFileSync(knownHosts, `[${head.host}]:${head.port} ${otherPub[0]} ${otherPub[1]}\n`);
  const realPub = readFileSync(`${sim.node('head').hostKeyPath}.pub`, 'utf8').trim().split(/\s+/);
  for (const hostKeyPolicy of ['strict', 'accept-new'] as const) {
    const f = await failure(execOnNode(newPool(), { ...head, knownHosts, hostKeyPolicy }, ['true']));
    assert.equal(f.type, 'SshHostKeyMismatch');
    assert.equal(f.nonRetryable, true);
    const expected = fingerprint(Buffer.from(otherPub[1]!, 'base64'));
    const offered = fingerprint(Buffer.from(realPub[1]!, 'base64'));
    for (const m of [head.host, String(head.port), head.user, head.identityFile, expected, offered]) assert.ok(f.message.includes(m), `names ${m}: ${f.message}`);
  }
  assert.equal(readFileSync(knownHosts, 'utf8').split('\n').filter(Boolean).length, 1, 'known_hosts untouched');
});

void test('an unknown host is refused when strict and recorded when accept-new', async () => {
  const knownHosts = path.join(dir, 'kh', 'known_hosts_empty');
  const strict = await failure(execOnNode(newPool(), { ...head, knownHosts, hostKeyPolicy: 'strict' }, ['true']));
  assert.equal(strict.type, 'SshHostKeyUnknown');
  assert.equal(strict.nonRetryable, true);
  await execOnNode(newPool(), { ...head, knownHosts, hostKeyPolicy: 'accept-new' }, ['true']);
  assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^\\[${head.host.replaceAll('.', '\\.')}\\]:${head.port} ssh-ed25519 `));
  await execOnNode(newPool(), { ...head, knownHosts, hostKeyPolicy: 'strict' }, ['true']);
});

void test('(e) bad credentials: SshAuthFailed, non-retryable, naming user, host and key path; a missing key file likewise', async () => {
  const stranger = path.join(dir, 'stranger_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
  const f = await failure(execOnNode(newPool(), { ...head, identityFile: stranger }, ['true']));
  assert.equal(f.type, 'SshAuthFailed');
  assert.equal(f.nonRetryable, true);
  for (const m of [head.user, head.host, stranger]) assert.ok(f.message.includes(m), `names ${m}: ${f.message}`);
  const missing = path.join(dir, 'no_such_key');
  const g = await failure(execOnNode(newPool(), { ...head, identityFile: missing }, ['true']));
  assert.equal(g.type, 'SshKeyUnreadable');
  assert.equal(g.nonRetryable, true);
  assert.ok(g.message.includes(missing));
});

void test('a refused connection is retryable SshUnreachable', async () => {
  const f = await failure(execOnNode(newPool(), { ...head, port: 1 }, ['true']));
  assert.equal(f.type, 'SshUnreachable');
  assert.equal(f.nonRetryable, false);
  assert.match(f.message, /ECONNREFUSED/);
});

void test('a node is reached through a jump host', async () => {
  const pool = newPool();
  const viaHead: NodeTarget = { ...worker, jumpHost: { host: head.host, port: head.port, user: head.user } };
  const r = await execOnNode(pool, viaHead, ['sh', '-c', 'echo "$PDFLOW_SIM_NODE"']);
  assert.equal(r.stdout, 'worker-1\n');
  assert.equal(pool.connectCount({ ...head, name: 'jump' }), 1, 'the jump connection is pooled too');
});

void test('scripts/remote is uploaded once; the stored hash makes later uploads no-ops', async () => {
  const bundle = await readScriptBundle();
  assert.ok(bundle.files.some((f) => f.rel === 'pdflow-job.sh' && f.mode === 0o755));
  const first = await uploadScripts(newPool(), worker, { force: true });
  assert.equal(first.uploaded, true);
  const again = await uploadScripts(newPool(), worker);
  assert.equal(again.uploaded, false, 'skipped: the hash on the node matches');
  const remote = readFileSync(path.join(worker.workdir, 'scripts', 'pdflow-job.sh'));
  assert.deepEqual(remote, readFileSync(path.join(bundle.dir, 'pdflow-job.sh')));
  assert.equal(readFileSync(path.join(worker.workdir, 'scripts', '.pdflow-hash'), 'utf8').trim(), bundle.hash);
});

void test('a command past its timeout fails retryably (RemoteCommandTimedOut) and the connection stays usable', async () => {
  const pool = newPool();
  const f = await failure(execOnNode(pool, head, ['sleep', '5'], { timeoutMs: 300 }));
  assert.equal(f.type, 'RemoteCommandTimedOut');
  assert.equal(f.nonRetryable, false);
  assert.equal((await execOnNode(pool, head, ['echo', 'ok'])).stdout, 'ok\n');
  assert.equal(pool.connectCount(head), 1);
});
