// The sweep's records as its state keeps them: the newest ones (a window) and the ok/failed
// counts of all. Every record also goes to the results store as it is made, so a sweep of any size
// has a bounded state; a record the store has not confirmed is never dropped. Pure, no Temporal.
import type { BenchPointRecord } from '../../analysis/records.js';
import type { RecordWindow, SweepCarry } from '../sweep-types.js';

/** Records the state keeps (the newest); every record is in the results store. */
export const RECORD_WINDOW = 500;
/**
 * Characters of records (as JSON) the state keeps at most, whatever the window: the carried state
 * (continue-as-new's input) and the result are each one Temporal payload, refused above 2 MB. A
 * record with the GPU summaries of 16 GPUs is ~7 KB: 500 of them would not fit.
 */
export const RECORD_WINDOW_CHARS = 1_000_000;

/** The part of the carried state the log reads and changes. */
export type RecordLogState = Pick<SweepCarry, 'records' | 'tally' | 'unstored' | 'recordsFrom'>;

export interface RecordCounts {
  ok: number;
  failed: number;
}

export class RecordLog {
  /** How many records the state keeps at most while the store has confirmed them (and their size allows). */
  readonly window: number;
  private readonly tally: RecordCounts;
  /** The JSON length of each record the state holds, in order, and their sum. */
  private readonly sizes: number[];
  private chars: number;

  /** `window`: the sweep's `recordWindow` option (unset or null: RECORD_WINDOW); `maxChars`: RECORD_WINDOW_CHARS. */
  constructor(private readonly s: RecordLogState, window?: number | null, private readonly maxChars = RECORD_WINDOW_CHARS) {
    this.window = Math.max(1, window ?? RECORD_WINDOW);
    this.sizes = s.records.map(sizeOf);
    this.chars = this.sizes.reduce((a, b) => a + b, 0);
    // A run carried by an older version kept every record and no tally: count them once.
    this.tally = s.tally ??= { ok: s.records.filter((r) => r.status === 'ok').length, failed: s.records.filter((r) => r.status !== 'ok').length };
  }

  /** ok/failed over every record made (a copy). */
  counts(): RecordCounts {
    return { ok: this.tally.ok, failed: this.tally.failed };
  }

  /** How many records the run has made. */
  count(): number {
    return this.tally.ok + this.tally.failed;
  }

  /** Appends a record and counts it; its number in the run (what the store keys it by). */
  add(r: BenchPointRecord): number {
    this.s.records.push(r);
    this.sizes.push(sizeOf(r));
    this.chars += this.sizes[this.sizes.length - 1]!;
    if (r.status === 'ok') this.tally.ok++;
    else this.tally.failed++;
    return this.count() - 1;
  }

  /** Drops the oldest records the store has confirmed, down to the window and to RECORD_WINDOW_CHARS (the newest always stays). */
  trim(): void {
    const unstored = new Set(this.s.unstored ?? []);
    const over = () => this.s.records.length > this.window || (this.chars > this.maxChars && this.s.records.length > 1);
    while (over() && !unstored.has(this.s.recordsFrom ?? 0)) {
      this.s.records.shift();
      this.chars -= this.sizes.shift() ?? 0;
      this.s.recordsFrom = (this.s.recordsFrom ?? 0) + 1;
    }
  }

  /** Set when the state holds only the recent records: the rest are in the results store. */
  windowOf(): { recordWindow?: RecordWindow } {
    return this.s.recordsFrom ? { recordWindow: { from: this.s.recordsFrom, total: this.count() } } : {};
  }
}

function sizeOf(r: BenchPointRecord): number {
  return JSON.stringify(r).length;
}
