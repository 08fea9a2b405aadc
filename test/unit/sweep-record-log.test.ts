// The sweep's record log (src/workflows/sweep/record-log.ts): the state keeps the newest records
// (a window) and counts every one; a record the results store has not confirmed is never dropped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { RECORD_WINDOW, RECORD_WINDOW_CHARS, RecordLog, type RecordLogState } from '../../src/workflows/sweep/record-log.js';

/** A record numbered `n` (its point id says which), ok unless `failed`. */
const rec = (n: number, failed = false) => ({ pointId: `p${n}`, status: failed ? 'failed' : 'ok' }) as BenchPointRecord;
const ids = (s: RecordLogState) => s.records.map((r) => r.pointId);

describe('RecordLog: the window', () => {
  const cases: Array<{ given: number | null | undefined; window: number }> = [
    { given: undefined, window: RECORD_WINDOW },
    { given: null, window: RECORD_WINDOW },
    { given: 3, window: 3 },
    { given: 1, window: 1 },
    { given: 0, window: 1 },
    { given: -5, window: 1 },
  ];
  for (const c of cases) {
    it(`recordWindow ${c.given}: keeps at least ${c.window}`, () => {
      assert.equal(new RecordLog({ records: [] }, c.given).window, c.window);
    });
  }
});

describe('RecordLog: counts', () => {
  it('a state carried without a tally (an older run kept every record): counted once from its records, and kept in the state', () => {
    const s: RecordLogState = { records: [rec(0), rec(1, true), rec(2), rec(3, true), rec(4)] };
    const log = new RecordLog(s);
    assert.deepEqual(log.counts(), { ok: 3, failed: 2 });
    assert.deepEqual(s.tally, { ok: 3, failed: 2 });
    assert.equal(log.count(), 5);
  });

  it('a carried tally is the truth (its records are only the newest)', () => {
    const s: RecordLogState = { records: [rec(12)], tally: { ok: 10, failed: 3 }, recordsFrom: 12 };
    const log = new RecordLog(s);
    assert.deepEqual(log.counts(), { ok: 10, failed: 3 });
    assert.equal(log.add(rec(13, true)), 13, 'the new record\'s number in the run');
    assert.deepEqual(s.tally, { ok: 10, failed: 4 });
  });

  it('counts() is a copy: changing it changes nothing', () => {
    const log = new RecordLog({ records: [] });
    log.counts().ok = 99;
    assert.deepEqual(log.counts(), { ok: 0, failed: 0 });
  });
});

describe('RecordLog: trim', () => {
  const cases: Array<{ name: string; window: number; records: number; from?: number; unstored?: number[]; kept: number[]; from2: number }> = [
    { name: 'within the window: nothing dropped', window: 5, records: 5, kept: [0, 1, 2, 3, 4], from2: 0 },
    { name: 'over the window, all stored: down to the window', window: 3, records: 7, kept: [4, 5, 6], from2: 4 },
    { name: 'the oldest not stored: nothing dropped', window: 3, records: 7, unstored: [0], kept: [0, 1, 2, 3, 4, 5, 6], from2: 0 },
    { name: 'one in the middle not stored: dropped up to it', window: 2, records: 7, unstored: [3], kept: [3, 4, 5, 6], from2: 3 },
    { name: 'newer ones not stored: the oldest still go', window: 2, records: 6, unstored: [4, 5], kept: [4, 5], from2: 4 },
    { name: 'a window already trimmed before (numbers from 10)', window: 2, records: 4, from: 10, kept: [12, 13], from2: 12 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const from = c.from ?? 0;
      const s: RecordLogState = {
        records: Array.from({ length: c.records }, (_, i) => rec(from + i)), tally: { ok: from + c.records, failed: 0 },
        ...(c.from ? { recordsFrom: c.from } : {}), ...(c.unstored ? { unstored: c.unstored } : {}),
      };
      const log = new RecordLog(s, c.window);
      log.trim();
      assert.deepEqual(ids(s), c.kept.map((n) => `p${n}`));
      assert.equal(s.recordsFrom ?? 0, c.from2);
      assert.equal(log.count(), from + c.records, 'trimming never changes the counts');
    });
  }

  it('as a sweep goes: a record the store has not confirmed holds the window open until it does', () => {
    const s: RecordLogState = { records: [], unstored: [] };
    const log = new RecordLog(s, 3);
    for (let n = 0; n < 10; n++) {
      const index = log.add(rec(n));
      assert.equal(index, n);
      if (n !== 4) s.unstored = s.unstored!.filter((i) => i !== n);
      else s.unstored!.push(4);
      log.trim();
    }
    assert.deepEqual(ids(s), ['p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
    assert.deepEqual(log.windowOf(), { recordWindow: { from: 4, total: 10 } });
    s.unstored = [];
    log.trim();
    assert.deepEqual(ids(s), ['p7', 'p8', 'p9']);
    assert.deepEqual(log.windowOf(), { recordWindow: { from: 7, total: 10 } });
  });
});

describe('RecordLog: windowOf', () => {
  it('nothing dropped yet: no window (the records are all of them)', () => {
    assert.deepEqual(new RecordLog({ records: [rec(0)] }).windowOf(), {});
    assert.deepEqual(new RecordLog({ records: [rec(0)], recordsFrom: 0 }).windowOf(), {});
  });
});

describe('RecordLog: the size bound (one Temporal payload is refused above 2 MB)', () => {
  /** A record of about `chars` characters of JSON. */
  const big = (n: number, chars: number) => ({ pointId: `p${n}`, status: 'ok', reason: 'x'.repeat(chars) }) as BenchPointRecord;
  const json = (s: RecordLogState) => JSON.stringify(s.records).length;

  it('records of 7 KB (16 GPUs summarized each): the window of 500 holds fewer, within the bound', () => {
    const s: RecordLogState = { records: [] };
    const log = new RecordLog(s);
    for (let n = 0; n < 600; n++) {
      log.add(big(n, 7000));
      log.trim();
      assert.ok(json(s) <= RECORD_WINDOW_CHARS + 1000, `after record ${n}: ${json(s)} characters kept`);
    }
    assert.ok(s.records.length < RECORD_WINDOW && s.records.length >= 140, `${s.records.length} records kept`);
    assert.equal(s.records[s.records.length - 1]!.pointId, 'p599');
    assert.deepEqual(log.windowOf(), { recordWindow: { from: 600 - s.records.length, total: 600 } });
  });

  it('small records: the count window binds first', () => {
    const s: RecordLogState = { records: [] };
    const log = new RecordLog(s, 10, 1_000_000);
    for (let n = 0; n < 30; n++) log.add(big(n, 10));
    log.trim();
    assert.equal(s.records.length, 10);
  });

  it('one record over the bound stays (the newest is always kept); an unconfirmed one is never dropped', () => {
    const s: RecordLogState = { records: [], unstored: [] };
    const log = new RecordLog(s, 500, 5000);
    log.add(big(0, 9000));
    log.trim();
    assert.deepEqual(ids(s), ['p0']);
    s.unstored!.push(0);
    log.add(big(1, 9000));
    log.trim();
    assert.deepEqual(ids(s), ['p0', 'p1'], 'p0 is not in the store yet');
    s.unstored = [];
    log.trim();
    assert.deepEqual(ids(s), ['p1']);
  });

  it('a carried state over the bound (made before it) is trimmed at the next record', () => {
    const s: RecordLogState = { records: Array.from({ length: 20 }, (_, i) => big(i, 1000)), tally: { ok: 20, failed: 0 } };
    const log = new RecordLog(s, 500, 5000);
    log.add(big(20, 1000));
    log.trim();
    assert.deepEqual(ids(s), ['p17', 'p18', 'p19', 'p20']);
  });
});
