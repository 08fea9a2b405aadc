// `pdflow logs` lists a run's steps in the order they started, not by name (issue "Start and read
// runs anywhere", item 6): real log files in a worker's runs folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLogs } from '../../src/cli/commands/logs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('findLogs: steps in the order they started across the run and its stage children; filters by node and step', async () => {
  const runs = mkdtempSync(path.join(os.tmpdir(), 'pdflow-logs-'));
  const id = 'pdflow-p5-pipeline-20261202-100000';
  // Started in this order; names and folders sort otherwise.
  const steps: Array<[string, string, string]> = [
    [`${id}-provision`, 'worker-1', 'python-env'],
    [`${id}-provision`, 'head', 'python-env'],
    [`${id}-build`, 'worker-1', 'build-ucx'],
    [`${id}-build`, 'worker-1', 'build-nixl'],
    [`${id}-ray`, 'head', 'ray-start-head'],
    ['pdflow-p5-sweep-20261202-100000', 'head', 'bench-x'], // another run: never listed
  ];
  for (const [run, node, step] of steps) {
    mkdirSync(path.join(runs, run, node), { recursive: true });
    writeFileSync(path.join(runs, run, node, `${step}.log`), `${step} on ${node}\n`);
    await sleep(15);
  }
  // A step that started first but is still writing must stay first.
  appendFileSync(path.join(runs, `${id}-provision`, 'worker-1', 'python-env.log'), 'still going\n');
  const order = (f: ReturnType<typeof findLogs>) => f.map((x) => `${x.run.slice(id.length) || 'run'} ${x.node} ${x.step}`);
  assert.deepEqual(order(findLogs(runs, id)), [
    '-provision worker-1 python-env', '-provision head python-env', '-build worker-1 build-ucx', '-build worker-1 build-nixl', '-ray head ray-start-head',
  ]);
  assert.deepEqual(order(findLogs(runs, id, { node: 'head' })), ['-provision head python-env', '-ray head ray-start-head']);
  assert.deepEqual(order(findLogs(runs, id, { step: 'build-' })), ['-build worker-1 build-ucx', '-build worker-1 build-nixl']);
  assert.deepEqual(findLogs(path.join(runs, 'nope'), id), []);
});
