import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  ParseError, parseLastJsonLine, parseLastJsonLineWith, parseTransferTestLog, parseTransferTestResult,
} from '../../src/parse/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/transfer/${p}`, import.meta.url), 'utf8');

describe('parseLastJsonLine', () => {
  const ok: Array<{ name: string; stdout: string; value: Record<string, unknown> }> = [
    { name: 'log then JSON', stdout: 'building...\ndone\n{"ok":true,"n":2}\n', value: { ok: true, n: 2 } },
    { name: 'trailing blank lines and CRLF', stdout: 'x\r\n{"ok":true}\r\n\r\n\n', value: { ok: true } },
    { name: 'colour codes around the line', stdout: '\x1b[32m{"ok":false}\x1b[0m\n', value: { ok: false } },
    { name: 'JSON only', stdout: '{"a":[1,2]}', value: { a: [1, 2] } },
    { name: 'late Ray log lines after it', stdout: 'log\n{"ok":true}\n(EngineActor pid=4121, ip=10.0.1.12) shutting down\n', value: { ok: true } },
    { name: 'the last of two JSON lines', stdout: '{"phase":"x"}\n{"ok":true}\n', value: { ok: true } },
  ];
  for (const c of ok) it(`reads ${c.name}`, () => assert.deepEqual(parseLastJsonLine(c.stdout), c.value));

  const bad: Array<{ name: string; stdout: string; match: RegExp }> = [
    { name: 'nothing printed', stdout: '\n\n', match: /printed nothing/ },
    { name: 'a crash after the log', stdout: 'step 1\nKilled\n', match: /no JSON result line; the script stopped before printing it \(line 2: "Killed"\)/ },
    { name: 'a cut JSON line', stdout: 'x\n{"ok":tr\n', match: /the last line is not valid JSON.*line 2/ },
    { name: 'an array', stdout: '[1,2]\n', match: /no JSON result line.*line 1/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, () => {
      assert.throws(() => parseLastJsonLine(c.stdout, 'inventory'), (e: unknown) => e instanceof ParseError && e.tool === 'inventory' && c.match.test(e.message));
    });
  }

  it('validates with a schema and names the bad field', () => {
    const schema = z.object({ gpus: z.number().int() });
    assert.deepEqual(parseLastJsonLineWith('{"gpus":8}\n', 'inventory', schema), { gpus: 8 });
    assert.throws(() => parseLastJsonLineWith('{"gpus":"eight"}\n', 'inventory', schema), /inventory: the JSON result line does not have the expected shape: gpus: .*line 1/);
  });
});

describe('parseTransferTestResult', () => {
  const cases: Array<{ file: string; ok: boolean; transport: string | null; mbps: number; passed: boolean }> = [
    { file: 'spread-srd.log', ok: true, transport: 'srd', mbps: 11112.58, passed: true },
    { file: 'spread-ud-verbs.log', ok: true, transport: 'ud_verbs', mbps: 181.37, passed: true },
    { file: 'spread-tcp.log', ok: true, transport: 'tcp', mbps: 142.1, passed: true },
    { file: 'validation-failed.log', ok: false, transport: null, mbps: 11250.02, passed: false },
  ];
  for (const c of cases) {
    it(`reads ${c.file}`, () => {
      const r = parseTransferTestResult(fx(c.file));
      assert.equal(r.ok, c.ok);
      assert.equal(r.transport ?? null, c.transport);
      assert.equal(r.ranks[0]!.mbps, c.mbps);
      assert.equal(r.ranks[0]!.passed, c.passed);
    });
  }
  it('refuses a run that crashed before its JSON line, naming the last line', () => {
    assert.throws(() => parseTransferTestResult(fx('crashed-no-json.log')), (e: unknown) => e instanceof ParseError && e.tool === 'transfer test' && /RuntimeError: Transfer failed with state: ERR/.test(e.message));
  });
  it('refuses a JSON line of the wrong shape, naming the fields', () => {
    assert.throws(() => parseTransferTestResult(fx('wrong-shape.log')), /strategy: .*backend: .*ranks: /);
  });
});

describe('parseTransferTestLog', () => {
  it('reads the human log of a passing spread run', () => {
    const log = parseTransferTestLog(fx('spread-srd.log'));
    assert.equal(log.strategy, 'spread');
    assert.deepEqual(log.backends, ['UCX']);
    assert.equal(log.crossNode, true);
    assert.equal(log.transferMB, 1677.72);
    assert.deepEqual(log.ranks, [{ rank: 0, passed: true, mbps: 11112.58 }]);
    assert.equal(log.allPassed, true);
  });
  it('collects failure lines', () => {
    const log = parseTransferTestLog(fx('validation-failed.log'));
    assert.equal(log.allPassed, false);
    assert.deepEqual(log.ranks, [{ rank: 0, passed: false, mbps: 11250.02 }]);
    assert.ok(log.failures.some((f) => f.includes('layer_3_k, block 7')));
  });
  it('refuses a log with neither results nor failures', () => {
    assert.throws(() => parseTransferTestLog('Initializing Ray...\n'), /no per-rank results/);
  });
});
