// The short run input (issue "Start and read runs anywhere", item 1): the cluster and sweep as YAML
// paths on the worker's machine or as the documents, read and checked by the worker with
// `pdflow validate`'s messages; the CLI puts the documents (or, for --print-input, the paths) in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ApplicationFailure } from '@temporalio/common';
import { loadRunConfig, describeIssues } from '../../src/config-io/run-config.js';
import { requireRunInput } from '../../src/workflows/run-input.js';
import { loadRunFiles, runInput } from '../../src/cli/start-run.js';
import { STAGES } from '../../src/workflows/stage-types.js';

const CLUSTER = path.resolve('examples/cluster-p5.yaml');
const SWEEP = path.resolve('examples/sweep-demo.yaml');
const doc = (f: string) => parseYaml(readFileSync(f, 'utf8')) as Record<string, unknown>;

test('loadRunConfig: paths and documents give the same checked config', async () => {
  const byPath = await loadRunConfig({ cluster: CLUSTER, sweep: SWEEP });
  const byDoc = await loadRunConfig({ cluster: doc(CLUSTER), sweep: doc(SWEEP) });
  assert.ok(byPath.ok && byDoc.ok, JSON.stringify([byPath, byDoc]).slice(0, 400));
  assert.deepEqual(byDoc.value, byPath.value);
  assert.equal(byPath.value.cluster.name, 'p5-pair');
  assert.equal(byPath.value.sweep?.name, doc(SWEEP).name);
  // A cluster alone (the pipeline's checks without a sweep).
  const alone = await loadRunConfig({ cluster: CLUSTER });
  assert.ok(alone.ok && alone.value.sweep === undefined);
});

test('loadRunConfig: a relative path is the worker\'s folder\'s; ~ is the worker user\'s home', async () => {
  const rel = path.relative(process.cwd(), CLUSTER);
  const r = await loadRunConfig({ cluster: rel });
  assert.ok(r.ok);
  const home = await loadRunConfig({ cluster: '~/no-such-pdflow-cluster.yaml' });
  assert.ok(!home.ok);
  assert.match(describeIssues(home.issues), new RegExp(`${os.homedir().replaceAll('/', '\\/')}/no-such-pdflow-cluster\\.yaml`));
});

test('loadRunConfig: every problem names the field, the value and the fix', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-run-input-'));
  mkdirSync(path.join(dir, 'folder.yaml'));
  const badCluster = { ...doc(CLUSTER), nodes: 'three' };
  const badSweep = path.join(dir, 'sweep.yaml');
  writeFileSync(badSweep, readFileSync(SWEEP, 'utf8').replace(/^name: .*$/m, 'name: "has spaces!"'));
  const cases: Array<[string, Parameters<typeof loadRunConfig>[0], RegExp[]]> = [
    ['missing file', { cluster: path.join(dir, 'nope.yaml') }, [/input\.cluster/, /no such file on the worker's machine/, /nope\.yaml/, /path of a YAML file the worker can read/]],
    ['a folder', { cluster: path.join(dir, 'folder.yaml') }, [/is a directory/]],
    ['a number', { cluster: 7 as unknown as string }, [/input\.cluster/, /not number/, /cluster-p5\.yaml/]],
    ['null', { cluster: null as unknown as string }, [/not null/]],
    ['a list', { cluster: [] as unknown as string }, [/not a list/]],
    ['an invalid document', { cluster: badCluster }, [/input\.cluster/, /nodes/]],
    ['a sweep file with an invalid name', { cluster: CLUSTER, sweep: badSweep }, [/sweep\.yaml/, /name/]],
    ['a sweep that is a number', { cluster: CLUSTER, sweep: 3 as unknown as string }, [/input\.sweep/, /not number/]],
  ];
  for (const [what, req, want] of cases) {
    const r = await loadRunConfig(req);
    assert.ok(!r.ok, `${what}: accepted`);
    const text = describeIssues(r.issues);
    for (const re of want) assert.match(text, re, `${what}: ${text}`);
  }
});

test('requireRunInput: anything but an object with a cluster fails at once, non-retryable, with an example', () => {
  const bad: unknown[] = [undefined, null, 'cluster.yaml', [], {}, { sweep: 's.yaml' }, { cluster: 3 }, { cluster: null }];
  for (const input of bad) {
    assert.throws(() => requireRunInput(input, 'pipeline'), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.nonRetryable, true);
      assert.equal(err.type, 'ConfigError');
      assert.match(err.message, /pipeline workflow's input must be an object with "cluster"/);
      assert.match(err.message, /"cluster": "\/path\/to\/cluster\.yaml"/);
      return true;
    }, JSON.stringify(input));
  }
  for (const good of [{ cluster: 'c.yaml' }, { cluster: { name: 'x' } }, { cluster: 'c.yaml', sweep: 's.yaml' }]) requireRunInput(good, 'sweep');
});

test('runInput (what `pdflow run` starts): the documents as written, all stages left out, heartbeat in options', async () => {
  const files = await loadRunFiles(CLUSTER, SWEEP);
  const all = runInput({ ...files, stages: [...STAGES], runSweep: true });
  assert.deepEqual(all, { cluster: doc(CLUSTER), sweep: doc(SWEEP) });
  const some = runInput({ ...files, stages: ['ray', 'validate'], runSweep: false, heartbeatTimeout: '10s' });
  assert.deepEqual(some, { cluster: doc(CLUSTER), stages: ['ray', 'validate'], options: { heartbeatTimeout: '10s' } });
  assert.ok(JSON.stringify(all).length < JSON.stringify({ cluster: files.cluster, plan: files.plan }).length / 2, 'the input is not shorter than the checked config and plan');
  // The documents go through the same checks the worker makes.
  const checked = await loadRunConfig({ cluster: all.cluster as Record<string, unknown>, sweep: all.sweep as Record<string, unknown> });
  assert.ok(checked.ok);
  assert.deepEqual(checked.value.cluster, files.cluster);
});
