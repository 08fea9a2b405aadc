// The emulated NIXL (src/sim/pypkgs/nixl) held to the real one: the real nixl==0.6.1 wheel
// (.tools/conformance-venv, from scripts/bootstrap.sh) runs on this CPU, two agents moving host
// memory (DRAM) over UCX, through exactly the agent calls the transfer test makes (KvAgent of
// scripts/remote/transfer_test.py); the emulation must return the same answers and refuse the
// same wrong calls with the same exception classes. It also checks, on the real UCX, what the
// transfer test relies on to read the transport: UCX_LOG_FILE is fully buffered and
// ucs_log_flush() of the loaded libucs writes out the READ protocol table.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ucxBulkReadTransport } from '../../src/parse/index.js';

const REPO = process.cwd();
const VENV = path.join(REPO, '.tools/conformance-venv');
const PROBE = path.join(REPO, 'test/conformance/nixl_probe.py');

interface ProbeOutput {
  flow: Record<string, unknown>;
  rejects: Record<string, unknown>;
  ucx: { libucsLoaded: boolean; bytesBeforeFlush: number | null; flush: string; log: string | null; tables: string | null };
}

let tmp: string;

function probe(python: string, env: Record<string, string>, log: string): Promise<ProbeOutput> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmp };
  return new Promise((resolve, reject) => {
    execFile(python, [PROBE], {
      cwd: REPO, timeout: 180_000, maxBuffer: 16 * 1024 * 1024,
      env: { ...base, PYTHONDONTWRITEBYTECODE: '1', NIXL_TELEMETRY_ENABLE: '1', UCX_PROTO_INFO: 'y', UCX_LOG_LEVEL: 'info', UCX_LOG_FILE: path.join(tmp, log), ...env },
    }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (err || !line) { reject(new Error(`${python} ${PROBE} failed: ${err?.message ?? 'no JSON line'}\n${stdout.slice(-2000)}\n${stderr.slice(-3000)}`)); return; }
      resolve(JSON.parse(line) as ProbeOutput);
    });
  });
}

function cudaRuntimeLib(): string {
  const lib = path.join(VENV, 'lib');
  const py = readdirSync(lib).find((d) => d.startsWith('python'));
  return path.join(lib, py ?? 'python3', 'site-packages/nvidia/cuda_runtime/lib');
}

let real: ProbeOutput;
let emulated: ProbeOutput;

before(async () => {
  assert.ok(existsSync(path.join(VENV, '.stamp')), `${VENV} is missing: run \`bash scripts/bootstrap.sh\` (it installs the real nixl wheel there)`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pdflow-nixl-conformance-'));
  real = await probe(path.join(VENV, 'bin/python'), {
    PYTHONPATH: path.join(REPO, 'test/conformance/shim'),
    LD_LIBRARY_PATH: [path.join(VENV, 'cuda-stub'), cudaRuntimeLib()].join(':'),
  }, 'real-ucx.log');
  emulated = await probe('python3', {
    PYTHONPATH: [path.join(REPO, 'src/sim/pypkgs/nixl'), path.join(REPO, 'src/sim/pypkgs/pdflow-sim')].join(':'),
  }, 'sim-ucx.log');
});

after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

describe('NIXL conformance: the transfer test\'s calls on the real nixl==0.6.1 and on the emulation', () => {
  it('the real wheel moves and validates the blocks through KvAgent (DRAM over UCX)', () => {
    assert.equal(real.flow.validated, true, JSON.stringify(real.flow));
    assert.equal(real.flow.telemetryPositive, true);
    assert.deepEqual(real.flow.bytesPerRead, [4 * 8 * 4096]);
  });

  it('the emulation answers the flow as the real one does', () => {
    assert.deepEqual(emulated.flow, real.flow);
  });

  it('the real wheel refuses the wrong calls the table lists', () => {
    const accepted = Object.entries(real.rejects).filter(([k, v]) => v === null && !k.endsWith('(accepted)')).map(([k]) => k);
    assert.deepEqual(accepted, [], 'the probe lists calls the real wheel accepts as refused');
  });

  // Every wrong call the real one refuses, the emulation refuses with the same class; what the
  // real one accepts (an unknown backend in the config is skipped), the emulation accepts.
  it('the emulation refuses exactly what the real one refuses', () => {
    for (const [call, want] of Object.entries(real.rejects)) {
      assert.deepEqual(emulated.rejects[call], want, `${call}: real ${JSON.stringify(want)}, emulated ${JSON.stringify(emulated.rejects[call])}`);
    }
    assert.deepEqual(Object.keys(emulated.rejects).sort(), Object.keys(real.rejects).sort());
  });

  it('real UCX buffers UCX_LOG_FILE; ucs_log_flush() of the loaded libucs writes the READ table out', () => {
    assert.equal(real.ucx.libucsLoaded, true);
    assert.equal(real.ucx.flush, 'ucs_log_flush');
    assert.equal((real.ucx.bytesBeforeFlush ?? 1) % 4096, 0, `a fully buffered stream writes whole blocks, got ${real.ucx.bytesBeforeFlush}`);
    assert.ok((real.ucx.log ?? '').length > (real.ucx.bytesBeforeFlush ?? 0), 'the flush wrote nothing more');
    const t = ucxBulkReadTransport(real.ucx.log ?? '');
    assert.match(t.transport ?? '', /^[a-z_]+(\+[a-z_]+)*$/, t.evidence);
    assert.match(t.evidence, /remote memory read by ucp_get\*.* into host memory from host/);
    // What the transfer test sends back (the table lines only) says the same.
    assert.ok((real.ucx.tables ?? '').length < (real.ucx.log ?? '').length);
    const sent = ucxBulkReadTransport(real.ucx.tables ?? '');
    assert.equal(sent.transport, t.transport);
    assert.equal(sent.evidence.replace(/line \d+/, ''), t.evidence.replace(/line \d+/, ''));
  });

  it('the emulated UCX log is buffered the same way and flushed by the same call', () => {
    assert.equal(emulated.ucx.libucsLoaded, true);
    assert.equal(emulated.ucx.flush, 'ucs_log_flush');
    assert.equal(emulated.ucx.bytesBeforeFlush, 0, 'the emulated log reached the disk before the flush');
    assert.notEqual(ucxBulkReadTransport(emulated.ucx.log ?? '').transport, null);
  });
});
