import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentFromFolderName, FolderNameError, type FolderDeployment } from '../../src/analysis/index.js';

type Expect = { mode: string; gpus: number; name: string; prefill?: [number, number]; decode?: [number, number]; replicas?: [number, number]; variant?: string; backend?: string; isl?: number; osl?: number; workloadMode?: string };

const cases: Array<[string, Expect]> = [
  ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4', { mode: 'pd-pack', gpus: 8, name: '1P-TP4:1D-TP4 pd-pack', prefill: [1, 4], decode: [1, 4], backend: 'UCX', isl: 5000, osl: 250, workloadMode: 'mixed' }],
  ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx', { mode: 'pd-spread', gpus: 8, name: '1P-TP4:1D-TP4 pd-spread [spread-ucx]', prefill: [1, 4], decode: [1, 4], variant: 'spread-ucx', backend: 'UCX' }],
  ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120', { mode: 'pd-spread', gpus: 8, name: '1P-TP4:1D-TP4 pd-spread [spread-ucx120]', variant: 'spread-ucx120' }],
  ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-tcp', { mode: 'pd-spread', gpus: 8, name: '1P-TP4:1D-TP4 pd-spread [spread-tcp]', variant: 'spread-tcp' }],
  ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread', { mode: 'pd-spread', gpus: 8, name: '1P-TP4:1D-TP4 pd-spread', variant: 'spread' }],
  ['gptoss_itl5000_otl250_mixed_1xtp2-2xtp2', { mode: 'pd-pack', gpus: 6, name: '1P-TP2:2D-TP2 pd-pack', prefill: [1, 2], decode: [2, 2] }],
  ['gptoss_itl5000_otl250_mixed_3ptp2-1dtp2-packed-ucx', { mode: 'pd-pack', gpus: 8, name: '3P-TP2:1D-TP2 pd-pack [packed-ucx]', prefill: [3, 2], decode: [1, 2], variant: 'packed-ucx' }],
  ['gptoss_itl5000_otl250_mixed_pd_p2xtp2-d1xtp4', { mode: 'pd-pack', gpus: 8, name: '2P-TP2:1D-TP4 pd-pack', prefill: [2, 2], decode: [1, 4] }],
  ['gptoss_itl5000_otl250_4xtp2', { mode: 'collocated', gpus: 8, name: '4xTP2 collocated', replicas: [4, 2], isl: 5000, osl: 250, workloadMode: 'mixed' }],
  ['gptoss_itl8000_otl1000_mixed_baseline_2xtp4', { mode: 'collocated', gpus: 8, name: '2xTP4 collocated', replicas: [2, 4], isl: 8000, osl: 1000 }],
  ['gptoss_itl5000_otl1_prefill-only_1xtp2', { mode: 'collocated', gpus: 2, name: '1xTP2 collocated', replicas: [1, 2], osl: 1, workloadMode: 'prefill-only' }],
  ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-libfabric-spread', { mode: 'pd-spread', gpus: 8, name: '1P-TP4:1D-TP4 pd-spread [libfabric-spread]', backend: 'LIBFABRIC' }],
  ['/home/me/bm_results/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4/', { mode: 'pd-pack', gpus: 8, name: '1P-TP4:1D-TP4 pd-pack' }],
];

function check(got: FolderDeployment, e: Expect) {
  const d = got.deployment;
  assert.equal(d.mode, e.mode);
  assert.equal(d.gpus, e.gpus);
  assert.equal(d.name, e.name);
  if (e.prefill) assert.deepEqual([d.prefill?.count, d.prefill?.tp], e.prefill);
  if (e.decode) assert.deepEqual([d.decode?.count, d.decode?.tp], e.decode);
  if (e.replicas) assert.deepEqual([d.replicas?.count, d.replicas?.tp], e.replicas);
  if (e.mode === 'collocated') assert.equal(d.prefill, undefined);
  if (e.variant !== undefined) assert.equal(d.variant, e.variant);
  if (e.backend !== undefined) assert.equal(d.backend, e.backend);
  if (e.isl !== undefined) assert.equal(got.isl, e.isl);
  if (e.osl !== undefined) assert.equal(got.osl, e.osl);
  if (e.workloadMode !== undefined) assert.equal(got.workloadMode, e.workloadMode);
}

describe('deploymentFromFolderName', () => {
  for (const [name, e] of cases) it(name, () => check(deploymentFromFolderName(name), e));

  it('uses the folder name as id', () => {
    assert.equal(deploymentFromFolderName('/x/gptoss_itl5000_otl250_4xtp2').deployment.id, 'gptoss_itl5000_otl250_4xtp2');
  });

  it('lets --deployment override the shape and keep the lengths from the name', () => {
    const got = deploymentFromFolderName('run_itl5000_otl250_monday', '1xtp4-1xtp4-spread');
    check(got, { mode: 'pd-spread', gpus: 8, name: '1P-TP4:1D-TP4 pd-spread', isl: 5000, osl: 250 });
    assert.equal(got.deployment.id, 'run_itl5000_otl250_monday');
  });
  it('lets --deployment give only the lengths', () => {
    check(deploymentFromFolderName('gptoss_4xtp2', 'itl8000_otl1000'), { mode: 'collocated', gpus: 8, name: '4xTP2 collocated', isl: 8000, osl: 1000 });
  });
  it('leaves the lengths undefined when nothing names them', () => {
    const got = deploymentFromFolderName('mydir', '2xtp4');
    assert.equal(got.isl, undefined);
    assert.equal(got.osl, undefined);
  });

  const bad: Array<[string, string | undefined, RegExp]> = [
    ['my-benchmark-run', undefined, /folder "my-benchmark-run": cannot tell the deployment .* --deployment/],
    ['gptoss_itl5000_otl250_0xtp4', undefined, /at least 1, found 0x TP4/],
    ['gptoss_itl5000_otl250_4xtp2', 'fast', /--deployment "fast": names no shape and no lengths/],
  ];
  for (const [name, override, re] of bad) {
    it(`refuses ${name}${override ? ` with --deployment ${override}` : ''}`, () => {
      assert.throws(() => deploymentFromFolderName(name, override), (e: unknown) => e instanceof FolderNameError && re.test(e.message));
    });
  }
});
