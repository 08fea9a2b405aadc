// The flags of `pdflow compare` that its help names, checked before anything loads (no analysis here).
import { BadInputError } from './errors.js';

export const BASELINES = ['last-good'] as const;
export type Baseline = (typeof BASELINES)[number];

export interface CompareCliOptions {
  baseline?: string;
  threshold?: string;
  json?: boolean;
  out?: string;
  store?: string;
}

export interface CompareRequest {
  /** The baseline's id; absent with --baseline (found in the store). */
  a?: string;
  b: string;
  baseline?: Baseline;
  thresholdPct?: number;
  json: boolean;
  out?: string;
}

/** The ids and flags as a request; every mistake names the flag, the value and the fix. */
export function compareRequest(ids: string[], o: CompareCliOptions): CompareRequest {
  const req: CompareRequest = { b: '', json: !!o.json };
  if (o.baseline !== undefined) {
    if (!(BASELINES as readonly string[]).includes(o.baseline)) throw new BadInputError(`--baseline: "${o.baseline}" is not one of ${BASELINES.join(', ')}; give --baseline last-good RUN`);
    if (ids.length !== 1) throw new BadInputError(`--baseline ${o.baseline} takes one run, the one to check (got ${ids.length}: ${ids.join(' ') || 'none'}); e.g. pdflow compare --baseline last-good RUN`);
    req.baseline = o.baseline as Baseline;
    req.b = ids[0]!;
  } else {
    if (ids.length !== 2) throw new BadInputError(`give two runs, the baseline A and the run to check B (got ${ids.length}${ids.length ? `: ${ids[0]}` : ''}), or one run with --baseline last-good`);
    req.a = ids[0]!;
    req.b = ids[1]!;
  }
  if (o.threshold !== undefined) {
    const t = Number(o.threshold.trim().replace(/%$/, ''));
    if (o.threshold.trim() === '' || !Number.isFinite(t) || t <= 0 || t >= 1000) throw new BadInputError(`--threshold: "${o.threshold}" is not a percentage above 0; give e.g. --threshold 10 for 10%`);
    req.thresholdPct = t;
  }
  if (o.out !== undefined) {
    if (o.out.trim() === '') throw new BadInputError('--out: empty; give a folder, e.g. --out compare/');
    req.out = o.out;
  }
  return req;
}
