// The transfer test as it ran on a real H200 (real nixl 0.6.1 with its bundled UCX, two processes
// on one GPU; test/fixtures/node-outputs/h200-device-median3): its whole stdout goes through the
// same parser and gate the validate stage uses. Pins what real hardware printed, not what our
// emulator prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTransferTestResult } from '../../src/parse/index.js';
import { checkTransfer } from '../../src/parse/gates/transfer.js';

const real = (f: string) => readFileSync(new URL(`../fixtures/node-outputs/h200-device-median3/${f}`, import.meta.url), 'utf8');

test('real H200 run: the transport comes from the flushed UCX log (tcp/lo), three timed READs, data validated', () => {
  const r = parseTransferTestResult(real('transfer-pack.out'));
  assert.equal(r.ok, true);
  assert.equal(r.transport, 'tcp');
  assert.match(r.transportEvidence ?? '', /remote memory read by ucp_get\*\(multi\) into cuda\/GPU0 from cuda, 0\.\.inf: software emulation over tcp\/lo/);
  assert.equal(r.ranks.length, 1);
  assert.equal(r.ranks[0]!.passed, true);
  assert.equal(r.ranks[0]!.samples?.length, 3);
  // The stdout's last JSON line and the saved JSON line are the same result.
  assert.deepEqual(parseTransferTestResult(real('transfer-pack.json')), r);
});

test('real H200 run through the gate: data over tcp fails it with the TCP explanation and the median of the three READs', () => {
  const r = parseTransferTestResult(real('transfer-pack.out'));
  const v = checkTransfer(r, { minGBps: 0.1, minSamples: 3, label: 'inside one node' });
  assert.equal(v.pass, false);
  assert.equal(v.cause, 'tcp');
  assert.ok(v.measuredGBps! > 0.3 && v.measuredGBps! < 0.5, String(v.measuredGBps));
  assert.match(v.message, /^pack transfer inside one node \(UCX\/tcp\): 0\.\d+ GB\/s \(median of 3 READs after 1 warm-up\) over tcp\. UCX moved the data over TCP/);
});
