// Every pdflow command's bad-input path (exit 2, a message naming the flag or file, the bad value
// and the fix) before anything is started or contacted, the happy path of the commands that need
// no Temporal (validate, schema, plan), and exit 3 from every command that talks to Temporal when
// nothing listens at --address (or TEMPORAL_ADDRESS): the message names the address tried and how
// to start a local server. Never touches 7233: the unreachable address is a port just freed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/common/dev-server.js';
import { pdflow, startPdflow, stopPdflow, waitForOutput, type CliResult } from '../helpers/cli.js';
import { startTestTemporal } from '../helpers/temporal.js';

const CLUSTER = 'examples/cluster-p5.yaml';
const SWEEP = 'examples/sweep-demo.yaml';
let dir: string;
let nowhere: string;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-cli-inputs-'));
  nowhere = `127.0.0.1:${await freePort()}`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the cases two at a time (2 cores) and checks each: exit code and stderr pattern. */
async function expectAll(cases: Array<{ args: string[]; code: number; err: RegExp; env?: NodeJS.ProcessEnv }>): Promise<void> {
  const failures: string[] = [];
  for (let i = 0; i < cases.length; i += 2) {
    const batch = cases.slice(i, i + 2);
    const results: CliResult[] = await Promise.all(batch.map((c) => pdflow(c.args, { env: c.env })));
    batch.forEach((c, j) => {
      const r = results[j]!;
      if (r.code !== c.code || !c.err.test(r.stderr)) failures.push(`pdflow ${c.args.join(' ')}: exit ${r.code} (want ${c.code}), stderr:\n${r.stderr}\nwant ${c.err}`);
    });
  }
  assert.deepEqual(failures, [], failures.join('\n\n'));
}

test('validate, schema, plan: the happy path prints what the user asked for, exit 0', async () => {
  const [validate, schema, plan] = await Promise.all([
    pdflow(['validate', CLUSTER, SWEEP, '--json']),
    pdflow(['schema', 'sweep']),
    pdflow(['plan', '--cluster', CLUSTER, '--sweep', SWEEP, '--json']),
  ]);
  assert.equal(validate.code, 0, validate.out);
  const v = JSON.parse(validate.stdout) as { ok: boolean; files: Array<{ kind: string; ok: boolean }> };
  assert.equal(v.ok, true);
  assert.deepEqual(v.files.map((f) => f.kind), ['cluster', 'sweep']);
  assert.equal(schema.code, 0, schema.out);
  assert.ok((JSON.parse(schema.stdout) as { properties?: Record<string, unknown> }).properties?.deployments, 'the sweep schema has deployments');
  assert.equal(plan.code, 0, plan.out);
  const p = JSON.parse(plan.stdout) as { sweepName: string; deployments: unknown[]; estimate: { points: number } };
  assert.equal(p.sweepName, 'demo');
  assert.equal(p.deployments.length, 3);
  assert.equal(p.estimate.points, 9);
});

test('bad input: exit 2 with the flag or file, the bad value and the fix — nothing started, nothing contacted', async () => {
  const simDir = path.join(dir, 'no-sim');
  const demoDir = path.join(dir, 'demo');
  await expectAll([
    { args: ['validate', 'test/fixtures/config/broken/cluster-host-semicolon.yaml'], code: 2, err: /1 problem in 1 file/ },
    { args: ['validate', path.join(dir, 'missing.yaml')], code: 2, err: /1 problem/ },
    { args: ['schema', 'gpu'], code: 2, err: /'gpu' is invalid for argument 'kind'\. Allowed choices are cluster, sweep/ },
    { args: ['plan', '--cluster', CLUSTER], code: 2, err: /required option '--sweep <file>' not specified/ },
    { args: ['plan', '--cluster', CLUSTER, '--sweep', path.join(dir, 'nope.yaml')], code: 2, err: /nope\.yaml: \(file\): no such file; give the path of a cluster or sweep YAML file/ },
    { args: ['server', '--port', '99999', '--db', path.join(dir, 't.db')], code: 2, err: /--port: "99999" is not a port number/ },
    { args: ['demo', '--workers', '0', '--dir', demoDir], code: 2, err: /--workers: "0" must be a whole number ≥ 1/ },
    { args: ['demo', '--time-scale', 'fast', '--dir', demoDir], code: 2, err: /--time-scale: "fast" must be a positive number/ },
    { args: ['sim', 'status', '--dir', simDir], code: 2, err: /--dir: no simulated cluster in .*no-sim.*pdflow sim up --dir/ },
    { args: ['sim', 'up', '--workers', 'two', '--dir', simDir], code: 2, err: /--workers: "two" is not a whole number in 0\.\.32/ },
    { args: ['sim', 'fault', 'worker-1', 'melt', '--dir', simDir], code: 2, err: /sim fault: action "melt" is unknown; use one of: drop \| reboot/ },
    { args: ['logs', 'pdflow-x-sweep-20260101-000000', '--runs-dir', dir], code: 2, err: /no logs for pdflow-x-sweep-20260101-000000 in .*is this the worker's --runs-dir\?/ },
    { args: ['results', 'some-id', '--format', 'xml'], code: 2, err: /--format: "xml" is not one of table, csv, json/ },
    { args: ['results'], code: 2, err: /give a sweep workflow id \(see `pdflow list --stage sweep`\) or --import DIR/ },
    { args: ['results', 'some-id', '--deployment', '4xtp2'], code: 2, err: /--deployment only applies with --import/ },
    { args: ['watch', 'some-id', '--interval', 'soon'], code: 2, err: /--interval: "soon" is not a number of seconds/ },
    { args: ['list', '--limit', '0'], code: 2, err: /--limit: "0" is not a positive integer/ },
    { args: ['list', '--status', 'sleeping'], code: 2, err: /--status: "sleeping" is not one of running, completed, failed, cancelled/ },
    { args: ['run', '--cluster', CLUSTER, '--stages', 'ray,bogus'], code: 2, err: /--stages: unknown stage\(s\) "bogus"; choose from provision, build, ray, validate, smoke, sweep/ },
    { args: ['run', '--cluster', CLUSTER, '--stages', 'sweep'], code: 2, err: /--stages sweep needs --sweep FILE/ },
    { args: ['run', '--cluster', CLUSTER, '--stages', ''], code: 2, err: /--stages "" names no stage; give one or more of provision, build/ },
    { args: ['run', '--cluster', CLUSTER, '--sweep', 'test/fixtures/config/sweep-nothing-runs.yaml'], code: 2, err: /sweep t has no point that can run on cluster p5-pair; every deployment was rejected:\n {2}1P-TP8:2D-TP8 spread: pd-spread needs/ },
    { args: ['schedule', 'create', '--cluster', CLUSTER, '--sweep', 'test/fixtures/config/sweep-nothing-runs.yaml', '--cron', '0 22 * * *'], code: 2, err: /has no point that can run/ },
    { args: ['plan', '--cluster', CLUSTER, '--sweep', 'test/fixtures/config/sweep-too-big.yaml', '--max-points', '1000'], code: 2, err: /sweep too-big has 1200 points, above the limit of 1000 .*split it/ },
    { args: ['run', '--cluster', CLUSTER, '--sweep', 'test/fixtures/config/sweep-too-big.yaml', '--max-points', '1000'], code: 2, err: /sweep too-big has 1200 points, above the limit of 1000/ },
    { args: ['run', '--cluster', CLUSTER, '--sweep', 'test/fixtures/config/sweep-too-big.yaml', '--max-points', 'lots'], code: 2, err: /--max-points: "lots" is not a whole number/ },
    { args: ['run', '--cluster', 'test/fixtures/config/broken/cluster-host-semicolon.yaml'], code: 2, err: /nodes\[1\]\.host: host contains ";"/ },
    { args: ['schedule', 'create', '--cluster', CLUSTER, '--sweep', SWEEP, '--cron', 'nightly'], code: 2, err: /--cron: "nightly" is not a 5-field cron expression .* e\.g\. "0 22 \* \* \*"/ },
    { args: ['schedule', 'create', '--cluster', CLUSTER, '--sweep', SWEEP], code: 2, err: /required option '--cron <expr>' not specified/ },
    { args: ['schedule', 'create', '--cluster', CLUSTER, '--sweep', SWEEP, '--cron', '0 25 * * *'], code: 2, err: /^pdflow: --cron: "0 25 \* \* \*" is not valid: .*25 expected range 0-23/ },
    { args: ['schedule', 'create', '--cluster', CLUSTER, '--sweep', SWEEP, '--cron', '0 22 * * *', '--timezone', 'Europe/Berln'], code: 2, err: /^pdflow: --timezone: "Europe\/Berln" is not an IANA time zone; use a name like UTC, Europe\/Berlin/ },
  ].map((c) => ({ ...c, args: ['--address', nowhere, ...c.args] })));
  assert.equal(existsSync(path.join(demoDir, 'demo.json')), false, 'the demo started nothing');
  assert.deepEqual(existsSync(simDir) ? readdirSync(simDir) : [], [], 'sim up started nothing');
});

test('Temporal unreachable: exit 3 from every command that talks to it, naming the address and how to start a server', async () => {
  const unreachable = (address: string) => new RegExp(
    `Cannot reach Temporal at ${address.replace(/\./g, '\\.')}: nothing listens there \\(connection refused\\)\\n` +
      'Start a local server with `npx pdflow server` \\(or `npm run demo`\\)',
  );
  const id = 'pdflow-p5-pair-sweep-20261128-220000';
  const commands = [
    ['list'], ['status', id], ['watch', id], ['pause', id], ['resume', id], ['cancel', id], ['results', id],
    ['run', '--cluster', CLUSTER, '--sweep', SWEEP], ['hello'], ['worker', '--no-wait', '--runs-dir', path.join(dir, 'runs')],
    ['schedule', 'list'], ['schedule', 'delete', 'pdflow-x-nightly'], ['schedule', 'create', '--cluster', CLUSTER, '--sweep', SWEEP, '--cron', '0 22 * * *'],
  ];
  await expectAll([
    ...commands.map((args) => ({ args: ['--address', nowhere, ...args], code: 3, err: unreachable(nowhere) })),
    // The standard Temporal environment variable, as @temporalio/envconfig reads it.
    { args: ['list', '--json'], code: 3, err: unreachable(nowhere), env: { TEMPORAL_ADDRESS: nowhere } },
    { args: ['status', id], code: 3, err: /Cannot reach Temporal at no-such-host\.invalid:7233: unknown host name/, env: { TEMPORAL_ADDRESS: 'no-such-host.invalid:7233' } },
  ]);
});

test('a worker started before its server waits for it (log line, backoff), connects once it is up, and stops on Ctrl-C', async () => {
  const port = Number(nowhere.split(':')[1]);
  const worker = startPdflow(['--address', nowhere, 'worker', '--runs-dir', path.join(dir, 'runs-wait')]);
  try {
    await waitForOutput(worker, new RegExp(`waiting for Temporal: Cannot reach Temporal at ${nowhere.replace(/\./g, '\\.')}: nothing listens there \\(connection refused\\); next try in 1 s`), 30_000);
    const server = await startTestTemporal({ port });
    try {
      await waitForOutput(worker, new RegExp(`pdflow worker on ${nowhere.replace(/\./g, '\\.')} namespace default task queue pdflow`), 90_000);
      const r = await stopPdflow(worker, 'SIGINT');
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, /worker stopped/);
    } finally {
      await server.teardown();
    }
  } finally {
    await stopPdflow(worker, 'SIGKILL');
  }
});
