// The Temporal Web UI reads like a pdflow run log. A dev server WITH its UI (free ports, never
// 7233/8233), a simulated cluster, `pdflow worker`, and runs started by the CLI as a user would
// (hello; a pipeline provision → build → ray → sweep). Headless Chromium (Debian's `chromium`,
// driven by playwright-core; no browser download) then finds: the runs in the list, the list
// filtered by cluster and by stage through visibility-query URLs, the pipeline's summary and
// current details, its child workflows, activity summaries instead of bare activity types, the
// `progress` query answering in the Queries tab, and `pause`/`resume` sent from the Signal dialog
// taking effect. Screenshots stay in test-output/web-ui/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevServer, freePort, type DevServer } from '../../src/common/dev-server.js';
import { startSimCluster, type SimCluster } from '../../src/sim/index.js';
import { parseClusterYaml } from '../../src/config/index.js';
import type { RunProgress } from '../../src/workflows/messages.js';
import type { PipelineResult } from '../../src/workflows/stage-types.js';
import { pdflow, startPdflow, stopPdflow, waitForOutput, root, type CliChild } from '../helpers/cli.js';
import { waitFor } from '../helpers/sweep.js';

const CHROMIUM = process.env.PDFLOW_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (\`apt-get install chromium\`; scripts/bootstrap.sh does it as root) or set PDFLOW_CHROMIUM`;
const shots = path.join(root, 'test-output/web-ui');
const TASK_QUEUE = `web-ui-${process.pid}`;

let dir: string;
let server: DevServer;
let sim: SimCluster;
let worker: CliChild;
let client: Client;
let connection: Connection;
let browser: Browser;
let ui: string;
let pipelineId = '';
let helloId = '';

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-web-ui-'));
  mkdirSync(shots, { recursive: true });
  sim = await startSimCluster({ dir: path.join(dir, 'sim'), name: 'uitest', workers: 2, timeScale: 0.02, firstHostOctet: 30 + (process.pid % 200) });
  const parsed = parseClusterYaml(readFileSync(sim.clusterFile, 'utf8'), sim.clusterFile);
  assert.ok(parsed.ok, 'the sim cluster file is valid');
  server = await startDevServer({ port: await freePort(), uiPort: await freePort(), headless: false, stdio: 'ignore', logLevel: 'error' });
  ui = server.uiUrl!;
  // The port listens before the frontend is healthy: retry a real call.
  connection = await waitFor('a healthy frontend', async () => {
    const c = await Connection.connect({ address: server.address, connectTimeout: '2s' });
    await c.workflowService.getSystemInfo({}).catch(async (err: unknown) => { await c.close(); throw err; });
    return c;
  }, () => true, 30_000, 300);
  client = new Client({ connection });
  worker = startPdflow(['--address', server.address, 'worker', '--task-queue', TASK_QUEUE, '--runs-dir', path.join(dir, 'runs'), '--grace', '5s']);
  await waitForOutput(worker, /pdflow worker on /);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }); // root in CI: no user namespaces
});

after(async () => {
  await browser?.close().catch(() => undefined);
  if (worker) await stopPdflow(worker, 'SIGKILL');
  await connection?.close().catch(() => undefined);
  await server?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => pdflow(['--address', server.address, ...args]);
const progressOf = (h: WorkflowHandle) => h.query<RunProgress>('progress');

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  return page;
}

/** Ids in the workflow list on the page (rows are "Select Workflow <id>" checkboxes' labels). */
async function listedIds(page: Page, expectAtLeast: string): Promise<string[]> {
  await page.getByText(expectAtLeast, { exact: true }).first().waitFor({ timeout: 30_000 });
  const text = await page.locator('main').innerText();
  return [...new Set([...text.matchAll(/^Select Workflow (\S+)$/gm)].map((m) => m[1]!))].sort();
}

/** Text rendered in the UI's markdown frames (summaries and current details). */
async function renderedTexts(page: Page): Promise<string[]> {
  const texts: string[] = [];
  for (const f of page.frames()) if (f.url().includes('/render?')) texts.push((await f.locator('body').innerText()).trim());
  return texts;
}

test('runs started by the CLI: hello, and a pipeline provision → build → ray → sweep (sweep paused from the UI)', { skip }, async () => {
  const hello = await cli('hello', '--task-queue', TASK_QUEUE, '--name', 'web-ui');
  assert.equal(hello.code, 0, hello.out);
  helloId = /started (pdflow-local-hello-\S+)/.exec(hello.stdout)![1]!;

  // Benchmarks slowed so a point runs for seconds: the pause must land while the sweep runs.
  const slow = await pdflow(['sim', 'fault', 'head', 'slow', 'vllm', '--factor', '60', '--dir', sim.dir]);
  assert.equal(slow.code, 0, slow.out);
  const sweepFile = path.join(dir, 'sweep-ui.yaml');
  writeFileSync(sweepFile, [
    'name: ui',
    'model: { id: openai/gpt-oss-120b, servedName: gptoss }',
    'workloads: [{ isl: 5000, osl: 250 }]',
    'deployments: [{ mode: collocated, replicas: [1], tp: [2] }]',
    'load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 }',
    'pauseTeardownAfterMinutes: 5',
    '',
  ].join('\n'));
  const run = await cli('run', '--cluster', sim.clusterFile, '--sweep', sweepFile, '--stages', 'provision,build,ray,sweep', '--task-queue', TASK_QUEUE, '--heartbeat-timeout', '10s', '--json');
  assert.equal(run.code, 0, run.out);
  pipelineId = (JSON.parse(run.stdout) as { workflowId: string }).workflowId;
  assert.match(pipelineId, /^pdflow-uitest-pipeline-\d{8}-\d{6}$/);
  const sweepId = pipelineId.replace('-pipeline-', '-sweep-'); // the pipeline names its sweep after its own start
  const sweep = client.workflow.getHandle(sweepId);
  // provision, build and ray first: minutes with real pip installs, builds and Ray on 2 cores.
  await waitFor('the sweep to start', () => progressOf(sweep), (p) => p.kind === 'sweep', 420_000, 500);

  // The Signal dialog: the UI offers the workflow's own signal names (pause, resume) and sends them.
  const page = await openPage(`${ui}/namespaces/default/workflows/${sweepId}`);
  const signal = async (name: 'pause' | 'resume') => {
    await page.getByRole('button', { name: /More Actions/ }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('signal-select-button').click();
    await dialog.getByRole('option', { name, exact: true }).click();
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'hidden' });
  };
  await waitFor('a point in flight', () => progressOf(sweep), (p) => p.activity?.startsWith('bench ') === true && p.done < 2, 60_000, 200);
  await signal('pause');
  const paused = await waitFor('paused by the UI signal', () => progressOf(sweep), (p) => p.state === 'paused', 60_000, 300);
  assert.ok(paused.done < 3, `paused before the last point (done ${paused.done})`);

  // The Queries tab of the paused sweep: `progress` is offered and answers.
  await page.getByRole('tab', { name: /Queries/ }).click();
  await page.getByTestId('query-select').waitFor();
  assert.equal(await page.getByTestId('query-select').inputValue(), 'progress');
  await page.getByRole('button', { name: 'Run Query' }).click();
  await page.getByText('"state": "paused"').waitFor({ timeout: 15_000 });
  await page.getByText('"kind": "sweep"').waitFor();
  await page.screenshot({ path: path.join(shots, 'sweep-paused-query.png') });

  await signal('resume');
  await waitFor('resumed', () => progressOf(sweep), (p) => p.state !== 'paused', 30_000, 300);
  await page.close();
  const result = await client.workflow.getHandle(pipelineId).result() as PipelineResult;
  assert.deepEqual(result.stages.map((s) => s.stage), ['provision', 'build', 'ray']);
  assert.deepEqual(result.sweep?.records.map((r) => r.status), ['ok', 'ok', 'ok'], 'each point ran once and passed after the resume');
  const history = await sweep.fetchHistory();
  const signals = (history.events ?? []).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean);
  assert.deepEqual(signals, ['pause', 'resume'], 'the UI sent exactly pause then resume');
});

test('the list shows the runs; visibility-query URLs filter it by stage and by cluster', { skip }, async () => {
  assert.ok(pipelineId, 'the runs exist');
  const stages = ['provision', 'build', 'ray'].map((s) => `${pipelineId}-${s}`);
  const sweepId = pipelineId.replace('-pipeline-', '-sweep-');
  const q = (query: string) => `${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;

  const all = await openPage(`${ui}/namespaces/default/workflows`);
  assert.deepEqual(await listedIds(all, pipelineId), [helloId, pipelineId, ...stages, sweepId].sort());
  await all.screenshot({ path: path.join(shots, 'list.png') });
  await all.close();

  const byStage = await openPage(q('PdflowStage="pipeline"'));
  assert.deepEqual(await listedIds(byStage, pipelineId), [pipelineId]);
  await byStage.screenshot({ path: path.join(shots, 'list-stage-pipeline.png') });
  await byStage.close();

  const byCluster = await openPage(q('PdflowCluster="uitest"'));
  assert.deepEqual(await listedIds(byCluster, pipelineId), [pipelineId, ...stages, sweepId].sort(), 'hello (cluster "local") is filtered out');
  await byCluster.close();

  const both = await openPage(q('PdflowCluster="uitest" AND PdflowStage="sweep"'));
  assert.deepEqual(await listedIds(both, sweepId), [sweepId]);
  await both.close();
});

test('the pipeline page: summary, current details, child workflows, stage and activity names, the progress query', { skip }, async () => {
  assert.ok(pipelineId, 'the runs exist');
  const page = await openPage(`${ui}/namespaces/default/workflows/${pipelineId}`);
  await page.getByRole('heading', { name: pipelineId }).waitFor();

  await page.getByRole('tab', { name: /User Metadata/ }).click();
  await waitFor('the summary and details frames', () => renderedTexts(page), (t) => t.length >= 2, 15_000, 200);
  const texts = await renderedTexts(page);
  assert.ok(texts.includes('pipeline on uitest: provision → build → ray → sweep ui'), JSON.stringify(texts));
  assert.ok(texts.some((t) => /^pipeline on uitest: all 4 stages passed$|^pipeline on uitest: .*sweep ui/.test(t)), JSON.stringify(texts));
  await page.screenshot({ path: path.join(shots, 'pipeline-summary.png') });

  await page.getByRole('tab', { name: /Relationships/ }).click();
  for (const child of ['provision', 'build', 'ray'].map((s) => `${pipelineId}-${s}`).concat(pipelineId.replace('-pipeline-', '-sweep-'))) {
    await page.getByText(child, { exact: true }).first().waitFor({ timeout: 15_000 });
  }
  await page.screenshot({ path: path.join(shots, 'pipeline-children.png') });

  await page.getByRole('tab', { name: /Timeline/ }).click();
  await page.getByText('provision on uitest: inventory, Python stack, model weights').first().waitFor({ timeout: 15_000 });
  await page.getByText(/^sweep ui on uitest: 1 deployments, 3 points$/).first().waitFor();

  await page.getByRole('tab', { name: /Queries/ }).click();
  await page.getByRole('button', { name: 'Run Query' }).click();
  await page.getByText('"kind": "pipeline"').waitFor({ timeout: 15_000 });
  await page.getByText('"name": "build"').waitFor();
  await page.screenshot({ path: path.join(shots, 'pipeline-query.png') });
  await page.close();

  const build = await openPage(`${ui}/namespaces/default/workflows/${pipelineId}-build`);
  await build.getByText(/build UCX on worker-1/).first().waitFor({ timeout: 15_000 });
  await build.getByText(/build NIXL on worker-2/).first().waitFor();
  await build.screenshot({ path: path.join(shots, 'build-timeline.png') });
  await build.close();
});

test('the Start Workflow form: a sweep started with a short input (two YAML paths) plans itself, carries its search attributes and measures afresh', { skip }, async () => {
  assert.ok(pipelineId, 'the cluster is set up (provision, build, ray) by the first test');
  await sim.clearFaults(); // the first test slowed the benchmarks
  const sweepFile = path.join(dir, 'sweep-form.yaml');
  writeFileSync(sweepFile, [
    'name: form',
    'model: { id: openai/gpt-oss-120b, servedName: gptoss }',
    'workloads: [{ isl: 1000, osl: 100 }]',
    'deployments: [{ mode: collocated, replicas: [1], tp: [1] }]',
    'load: { concurrency: [2, 4], promptsPerConcurrency: 1 }',
    '',
  ].join('\n'));
  const id = `form-sweep-${process.pid}`;
  const benches = sim.countRuns('head', 'vllm');
  const page = await openPage(`${ui}/namespaces/default/workflows/start-workflow`);
  await page.getByRole('textbox', { name: 'Workflow ID' }).fill(id);
  await page.getByRole('textbox', { name: 'Task Queue' }).fill(TASK_QUEUE);
  await page.getByRole('textbox', { name: 'Workflow Type' }).fill('sweep');
  await page.getByRole('textbox', { name: 'Data' }).click();
  // What `pdflow run --print-input` prints: the paths, read on the worker's machine.
  await page.keyboard.insertText(JSON.stringify({ cluster: sim.clusterFile, sweep: sweepFile }));
  // The editor commits its text when it loses focus (a click on the button would only do that).
  await page.getByRole('heading', { name: 'Start Workflow' }).click();
  await page.screenshot({ path: path.join(shots, 'start-form.png') });
  await page.getByRole('button', { name: 'Start Workflow' }).click();
  await page.getByText('Workflow started successfully').first().waitFor({ timeout: 30_000 });
  await page.close();

  const h = client.workflow.getHandle(id);
  const result = await h.result() as { outcome: string; records: Array<{ status: string; pointId: string; rawResultPath?: string }> };
  assert.equal(result.outcome, 'ok', JSON.stringify(result).slice(0, 600));
  assert.deepEqual(result.records.map((r) => r.status), ['ok', 'ok']);
  assert.equal(sim.countRuns('head', 'vllm') - benches, 2, 'both points were measured by this run');
  const attrs = (await h.describe()).typedSearchAttributes;
  assert.deepEqual(['PdflowStage', 'PdflowSweep', 'PdflowCluster', 'PdflowOutcome'].map((k) => attrs.getAll().find((a) => a.key.name === k)?.value),
    ['sweep', 'form', 'uitest', 'ok'], 'the workflow set its own search attributes');
  const listed = await openPage(`${ui}/namespaces/default/workflows?query=${encodeURIComponent('PdflowSweep="form"')}`);
  assert.deepEqual(await listedIds(listed, id), [id], 'listed under the Pdflow* filters like a CLI run');
  await listed.close();
});
