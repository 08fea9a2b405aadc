// The NIXL KV-block transfer test (scripts/remote): its final JSON line is the contract with the
// validate stage; the human log (shaped like anyscale's test_nixl_connector_ray.py) is parsed too.
import { z } from 'zod';
import { ParseError } from './errors.js';
import { parseLastJsonLineWith } from './json-line.js';
import { cleanLines } from './text.js';
import { ucxBulkReadTransport } from './ucx-proto-info.js';

const TOOL = 'transfer test';

export const TransferRankSchema = z.object({
  /** Decode TP rank that pulled (READ) the blocks. */
  rank: z.number().int().nonnegative(),
  passed: z.boolean(),
  /** MB/s with MB = 1e6 bytes, as the test prints it. */
  mbps: z.number().nonnegative(),
  durationSec: z.number().nonnegative().optional(),
  bytes: z.number().nonnegative().optional(),
  descriptors: z.number().int().nonnegative().optional(),
  /** Where the puller and the source ran (IP or node name). */
  node: z.string().optional(),
  peerNode: z.string().optional(),
  gpu: z.number().int().optional(),
  error: z.string().nullish(),
  /** Every timed READ after the warm-up (the gate takes their median). */
  samples: z.array(z.object({ seconds: z.number().positive(), bytes: z.number().nonnegative() })).optional(),
});

export const TransferTestResultSchema = z.object({
  ok: z.boolean(),
  strategy: z.enum(['spread', 'pack']),
  backend: z.string(),
  /**
   * Transport actually used, e.g. "srd", "ud_verbs", "tcp", "cuda_ipc"; null if unknown. With UCX
   * the script leaves it null and sends ucxLog: the parser reads it from UCX's own tables.
   */
  transport: z.string().nullish(),
  /** The puller's UCX_LOG_FILE (UCX_PROTO_INFO=y), read after its UCX log was flushed. */
  ucxLog: z.string().nullish(),
  /** How that log was flushed: ucs_log_flush() called, libucs unloaded (its destructor flushed), or not at all. */
  ucxLogFlush: z.enum(['ucs_log_flush', 'unloaded', 'none']).optional(),
  /** Why the transport is what it is (the UCX table row), or why it is unknown. */
  transportEvidence: z.string().optional(),
  /** Untimed READs before the timed ones (connection set-up, first-use registration). */
  warmup: z.number().int().nonnegative().optional(),
  /** Timed READs. */
  iterations: z.number().int().positive().optional(),
  /** true when the actors landed on different nodes. */
  crossNode: z.boolean().optional(),
  /** The Ray placement group strategy: STRICT_SPREAD (spread) or STRICT_PACK (pack), as the seed's test. */
  placement: z.enum(['STRICT_SPREAD', 'STRICT_PACK']).optional(),
  prefillTp: z.number().int().positive().optional(),
  decodeTp: z.number().int().positive().optional(),
  blocks: z.number().int().positive().optional(),
  numBlocks: z.number().int().positive().optional(),
  numLayers: z.number().int().positive().optional(),
  bytes: z.number().nonnegative().optional(),
  ranks: z.array(TransferRankSchema),
  error: z.string().nullish(),
});

export type TransferRank = z.output<typeof TransferRankSchema>;
export type TransferTestResult = z.output<typeof TransferTestResultSchema>;

/**
 * The transfer test's final JSON line (see TransferTestResultSchema). With a UCX log the transport
 * comes from UCX's READ protocol table only; without that table it is null (unknown), not a guess.
 */
export function parseTransferTestResult(stdout: string): TransferTestResult {
  const result = parseLastJsonLineWith(stdout, TOOL, TransferTestResultSchema);
  if (typeof result.ucxLog !== 'string') return result;
  const { transport, evidence } = ucxBulkReadTransport(result.ucxLog);
  const flush = result.ucxLogFlush === 'none' ? ' (the log could not be flushed)' : '';
  return { ...result, transport, transportEvidence: transport ? evidence : evidence + flush };
}

export interface TransferTestLog {
  strategy?: 'spread' | 'pack';
  backends?: string[];
  crossNode?: boolean;
  transferMB?: number;
  ranks: Array<{ rank: number; passed: boolean; mbps?: number }>;
  /** "ALL TESTS PASSED" seen */
  allPassed: boolean;
  failures: string[];
}

/** The human log of the test (test_nixl_connector_ray.py shape): per-rank MB/s and failures. */
export function parseTransferTestLog(text: string): TransferTestLog {
  const lines = cleanLines(text);
  const out: TransferTestLog = { ranks: [], allPassed: false, failures: [] };
  for (const l of lines) {
    const t = l.text.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Strategy:\s*(SPREAD|PACK)\b/i.exec(t))) out.strategy = m[1]!.toLowerCase() as 'spread' | 'pack';
    else if ((m = /NIXL backends:\s*\[(.*)\]/.exec(t))) out.backends = m[1]!.split(',').map((b) => b.trim().replace(/^'|'$/g, '')).filter((b) => b !== '');
    else if ((m = /Transfer size:\s*([\d.]+)\s*MB/.exec(t))) out.transferMB = Number(m[1]);
    else if (/Actors distributed across \d+ NODES/.test(t)) out.crossNode = true;
    else if (/All actors on SAME NODE/.test(t)) out.crossNode = false;
    else if ((m = /^Decode TP(\d+):\s*\S*\s*(PASSED|FAILED)(?:\s*-\s*([\d.]+)\s*MB\/s)?/.exec(t))) {
      const r: { rank: number; passed: boolean; mbps?: number } = { rank: Number(m[1]), passed: m[2] === 'PASSED' };
      if (m[3]) r.mbps = Number(m[3]);
      out.ranks.push(r);
    } else if (/ALL TESTS PASSED/.test(t)) out.allPassed = true;
    else if (/Transfer validation FAILED|ALL TESTS FAILED|PARTIAL SUCCESS|RuntimeError:|Transfer failed with state/.test(t)) out.failures.push(t);
  }
  if (out.ranks.length === 0 && out.failures.length === 0 && !out.allPassed) {
    throw new ParseError(TOOL, 'no per-rank results and no failure lines in the log', lines[lines.length - 1] ? { lineNumber: lines[lines.length - 1]!.n, line: lines[lines.length - 1]!.text } : {});
  }
  return out;
}
