import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParseError, checkRayStatus, parseRayStatus } from '../../src/parse/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/ray/${p}`, import.meta.url), 'utf8');

describe('parseRayStatus', () => {
  const cases: Array<{ file: string; active: number; pending: number; dead: number; gpu: [number, number]; cpu: [number, number]; demands: number }> = [
    { file: 'ok-3-nodes.txt', active: 3, pending: 0, dead: 0, gpu: [0, 16], cpu: [0, 400], demands: 0 },
    { file: 'worker-rebooted.txt', active: 2, pending: 0, dead: 1, gpu: [0, 8], cpu: [0, 208], demands: 0 },
    { file: 'placement-groups.txt', active: 3, pending: 0, dead: 0, gpu: [8, 16], cpu: [40, 400], demands: 1 },
    { file: 'verbose-per-node.txt', active: 3, pending: 0, dead: 0, gpu: [0, 16], cpu: [0, 400], demands: 1 },
    { file: 'legacy-healthy-idle.txt', active: 3, pending: 1, dead: 0, gpu: [0, 8], cpu: [0, 96], demands: 0 },
  ];
  for (const c of cases) {
    it(`reads ${c.file}`, () => {
      const s = parseRayStatus(fx(c.file));
      assert.equal(s.nodesActive, c.active);
      assert.equal(s.nodesPending, c.pending);
      assert.equal(s.nodesDead, c.dead);
      assert.deepEqual([s.gpu.used, s.gpu.total], c.gpu);
      assert.deepEqual([s.cpu.used, s.cpu.total], c.cpu);
      assert.equal(s.demands.length, c.demands);
    });
  }
  it('reads the timestamp, node ids, failure ip and memory in bytes', () => {
    const s = parseRayStatus(fx('worker-rebooted.txt'));
    assert.equal(s.timestamp, '2025-10-12 15:41:02.118201');
    assert.equal(s.nodes[0]!.id, 'node_3e1b8f54a6b6256489c6b258c173402f132478e217f43d36798e8d4f');
    assert.deepEqual(s.failures.map((f) => [f.cause, f.ip]), [['NodeTerminated', '10.0.1.47']]);
    assert.equal(s.resources.object_store_memory!.total, 200 * 1024 ** 3);
  });
  it('says "not-running" when there is no cluster', () => {
    assert.throws(() => parseRayStatus(fx('not-running.txt')), (e: unknown) => e instanceof ParseError && e.code === 'not-running' && /no running Ray cluster/.test(e.message));
  });
  it('refuses a traceback', () => {
    assert.throws(() => parseRayStatus(fx('garbage.txt')), (e: unknown) => e instanceof ParseError && /no "Node status" section .*\(line 1: "Traceback/.test(e.message));
  });
  it('refuses a usage line it cannot read, naming it', () => {
    assert.throws(() => parseRayStatus(fx('bad-usage-line.txt')), /expected "<used>\/<total> <resource>" under Usage \(line 14: " lots of GPUs"\)/);
  });
});

describe('checkRayStatus', () => {
  it('passes a complete cluster', () => {
    assert.deepEqual(checkRayStatus({ nodes: 3, gpus: 16 }, parseRayStatus(fx('ok-3-nodes.txt'))), []);
  });
  it('lists the missing node, its failure and the missing GPUs', () => {
    const problems = checkRayStatus({ nodes: 3, gpus: 16 }, parseRayStatus(fx('worker-rebooted.txt')));
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /2 of 3 nodes \(1 missing\).*NodeTerminated \(ip 10\.0\.1\.47\).*re-run the ray stage/);
    assert.match(problems[1]!, /8 of 16 GPUs \(8 missing\)/);
  });
});
