// scripts/remote/gpu_sampler.sh run for real (bash, the emulated nvidia-smi of the simulated nodes,
// a fake sysfs in a temp dir): it samples while an emulated benchmark loads a GPU and KV bytes reach
// the EFA counters, restarts when started twice, stops idempotently, ends by itself, and never
// touches a process that merely has its recorded pid. The file it writes is what the parser reads.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_REMOTE_SCRIPTS } from '../../src/activities/ssh/upload.js';
import { parseGpuSamples } from '../../src/parse/gpu-samples.js';
import { summarizeGpuSamples } from '../../src/analysis/gpu-energy.js';

const root = path.resolve(import.meta.dirname, '../..');
const sampler = path.join(LOCAL_REMOTE_SCRIPTS, 'gpu_sampler.sh');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pdflow-gpu-sampler-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const state = path.join(tmp, 'state');
const cluster = path.join(tmp, 'cluster');
const ib = path.join(state, 'sysfs/sys/class/infiniband');
const DEVICES = ['rdmap79s0', 'rdmap80s0'];
mkdirSync(cluster, { recursive: true });
mkdirSync(state, { recursive: true });
writeFileSync(path.join(state, 'hardware.json'), JSON.stringify({ gpus: 2, efaDevices: 2 }));
for (const d of DEVICES) {
  mkdirSync(path.join(ib, d, 'ports/1/hw_counters'), { recursive: true });
  for (const c of ['rx_bytes', 'tx_bytes']) writeFileSync(path.join(ib, d, 'ports/1/hw_counters', c), '0\n');
}
const counter = (d: string, c: string, v: number) => writeFileSync(path.join(ib, d, 'ports/1/hw_counters', c), `${v}\n`);
const env = {
  ...process.env,
  PATH: `${path.join(root, 'src/sim/emulators/bin')}:${process.env.PATH}`,
  PDFLOW_SIM_STATE: state, PDFLOW_SIM_CLUSTER: cluster, PDFLOW_SYSFS_ROOT: path.join(state, 'sysfs'),
};
const run = (...args: string[]) => {
  const out = execFileSync('bash', [sampler, ...args], { env, encoding: 'utf8' });
  return JSON.parse(out.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
};
/** Running: not gone and not a zombie (an orphan waits for init to reap it, which may take a while). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
};

describe('gpu_sampler.sh with the emulated nvidia-smi', () => {
  it('samples a GPU an emulated benchmark loads and the EFA bytes that arrive, then stops', async () => {
    const out = path.join(tmp, 'a/point.csv');
    // GPU 0 holds an engine's weights; its benchmark load starts now and lasts a minute.
    const now = Date.now() / 1000;
    writeFileSync(path.join(state, 'gpu-usage.json'), JSON.stringify({ processes: [{ pid: process.pid, gpu: 0, usedMiB: 73902, name: 'ray::RayWorkerWrapper', owner: 'eng-1' }] }));
    mkdirSync(path.join(cluster, 'gpu-activity'), { recursive: true });
    writeFileSync(path.join(cluster, 'gpu-activity/eng-1.json'), JSON.stringify({ engineId: 'eng-1', role: 'decode', pid: process.pid, from: now, until: now + 60, util: 90, intensity: 0.8 }));
    const started = run('start', '--out', out, '--interval-ms', '200', '--max-seconds', '60');
    assert.equal(started.ok, true);
    assert.equal(started.efaDevices, 2);
    assert.match(String(started.gpuFields), /clocks_event_reasons\.active$/);
    await sleep(900);
    counter('rdmap79s0', 'rx_bytes', 3_000_000_000);
    counter('rdmap80s0', 'rx_bytes', 1_000_000_000);
    counter('rdmap80s0', 'tx_bytes', 12_000_000);
    await sleep(700);
    const stopped = run('stop', '--out', out);
    assert.equal(stopped.wasRunning, true);
    assert.ok(Number(stopped.gpuLines) >= 4, JSON.stringify(stopped));
    assert.ok(!existsSync(`${out}.pid`));

    const s = summarizeGpuSamples([parseGpuSamples(readFileSync(out, 'utf8'), 'gpu-1')]);
    const [g0, g1] = s.perGpu;
    assert.ok(g0!.meanUtilPct! >= 85 && g0!.meanUtilPct! <= 95, `busy GPU util ${g0!.meanUtilPct}`);
    assert.ok(g0!.meanPowerW! > 450 && g0!.meanPowerW! < 650, `busy GPU ${g0!.meanPowerW} W`);
    assert.equal(g0!.maxMemoryUsedMiB, 73902);
    assert.ok(g1!.meanPowerW! > 60 && g1!.meanPowerW! < 90, `idle GPU ${g1!.meanPowerW} W`);
    assert.equal(g1!.meanUtilPct, 0);
    assert.equal(s.throttled, false);
    assert.equal(s.efaRxBytes, 4_000_000_000);
    assert.equal(s.efaTxBytes, 12_000_000);
    // A second stop finds nothing running and reports the same file.
    const again = run('stop', '--out', out);
    assert.equal(again.wasRunning, false);
    assert.equal(again.lines, stopped.lines);
  });

  it('reports the throttle reasons hardware.json injects while a GPU computes', async () => {
    writeFileSync(path.join(state, 'hardware.json'), JSON.stringify({ gpus: 2, efaDevices: 2, throttleReasons: '0x40' }));
    const out = path.join(tmp, 'b/point.csv');
    run('start', '--out', out, '--interval-ms', '200', '--max-seconds', '60');
    await sleep(900);
    run('stop', '--out', out);
    writeFileSync(path.join(state, 'hardware.json'), JSON.stringify({ gpus: 2, efaDevices: 2 }));
    const s = summarizeGpuSamples([parseGpuSamples(readFileSync(out, 'utf8'), 'gpu-1')]);
    assert.equal(s.throttled, true);
    assert.deepEqual(s.throttleReasons, ['hw_thermal_slowdown']);
    assert.equal(s.perGpu[1]!.throttledSamples, 0, 'the idle GPU reports idle only');
  });

  it('a second start restarts the sampler afresh; max-seconds ends it by itself', async () => {
    const out = path.join(tmp, 'c/point.csv');
    const first = run('start', '--out', out, '--interval-ms', '200', '--max-seconds', '60');
    await sleep(600);
    const second = run('start', '--out', out, '--interval-ms', '200', '--max-seconds', '1');
    assert.notEqual(second.pid, first.pid);
    assert.ok(!alive(Number(first.pid)), 'the first sampler was stopped');
    assert.equal(readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('meta,') && l.includes(',interval_ms,')).length, 1, 'the file started afresh');
    await sleep(2500);
    assert.ok(!alive(Number(second.pid)), 'ended after --max-seconds');
    assert.equal(run('stop', '--out', out).wasRunning, false);
  });

  it('never kills a process that only has the recorded pid', async () => {
    const out = path.join(tmp, 'd/point.csv');
    mkdirSync(path.dirname(out), { recursive: true });
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(`${out}.pid`, `${other.pid}\n`);
      assert.equal(run('stop', '--out', out).wasRunning, false);
      const s = run('start', '--out', out, '--interval-ms', '200', '--max-seconds', '5');
      assert.ok(alive(other.pid!), 'the unrelated process lives');
      assert.notEqual(s.pid, other.pid);
      assert.equal(run('stop', '--out', out).wasRunning, true);
    } finally {
      other.kill();
    }
  });

  it('refuses bad flags with a message naming them', () => {
    const bad = (args: string[], re: RegExp) => {
      try {
        execFileSync('bash', [sampler, ...args], { env, encoding: 'utf8', stdio: 'pipe' });
        assert.fail('accepted');
      } catch (e) {
        const err = e as { status: number; stdout: string };
        assert.equal(err.status, 2);
        assert.match(err.stdout, re);
      }
    };
    bad(['start', '--out', 'relative.csv'], /--out must be an absolute path/);
    bad(['start', '--out', '/tmp/x.csv', '--interval-ms', '10'], /--interval-ms must be .* at least 100, got '10'/);
    bad(['start', '--out', '/tmp/x.csv', '--max-seconds', 'soon'], /--max-seconds must be/);
    bad(['pause', '--out', '/tmp/x.csv'], /first argument must be start or stop/);
  });
});
