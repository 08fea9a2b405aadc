// The validate gate: the NIXL transfer test's bandwidth and transport. The bandwidth is the median
// of the timed READs after a warm-up (connection set-up and first-use costs excluded): under the
// floor fails, under the target only warns (real EFA moves 4-12 GB/s per GPU pair).
import type { TransferRank, TransferTestResult } from '../transfer-test.js';

export interface TransferGate {
  /** Floor in GB/s (1 GB = 1e9 bytes): a slower median fails the gate. */
  minGBps: number;
  /** Target in GB/s: a median under it (but over the floor) passes with a warning. */
  targetGBps?: number;
  /** Timed READs the median needs (default 3). */
  minSamples?: number;
  /** Transports accepted, e.g. ["srd"] across nodes; undefined: not checked. */
  expectedTransports?: string[];
  /** For messages, e.g. "worker-1 → worker-2". */
  label?: string;
}

export type TransferFailureCause = 'error' | 'validation' | 'placement' | 'ud_verbs' | 'tcp' | 'transport' | 'samples' | 'bandwidth';

export interface TransferVerdict {
  pass: boolean;
  cause?: TransferFailureCause;
  /** Slowest rank's median, GB/s; undefined when no rank reported. */
  measuredGBps?: number;
  /** One sentence: what was measured and, on failure, the likely cause and what to do. */
  message: string;
  /** Set when the gate passes under the target. */
  warning?: string;
}

const FIX_UD_VERBS =
  'UCX was built without EFA (no srd transport), so it fell back to ud_verbs: rebuild UCX with --with-efa (the build stage) and check that `ucx_info -d | grep srd` lists every EFA device';
const FIX_TCP =
  'UCX moved the data over TCP: check UCX_TLS (unset it, or include srd / cuda_ipc) and UCX_NET_DEVICES, and that the EFA devices and the security group allow EFA traffic between the nodes';

/** Median of the rank's timed READs in GB/s; its reported MB/s when it sent no samples. */
export function rankGBps(rank: TransferRank): number {
  const rates = (rank.samples ?? []).map((s) => s.bytes / s.seconds / 1e9).sort((a, b) => a - b);
  if (rates.length === 0) return rank.mbps / 1000;
  const mid = Math.floor(rates.length / 2);
  return rates.length % 2 === 1 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
}

export function checkTransfer(result: TransferTestResult, gate: TransferGate): TransferVerdict {
  const where = `${result.strategy} transfer${gate.label ? ` ${gate.label}` : ''} (${result.backend}${result.transport ? `/${result.transport}` : ''})`;
  const rates = result.ranks.map(rankGBps);
  const measuredGBps = rates.length > 0 ? Math.min(...rates) : undefined;
  const sampled = result.ranks.map((r) => r.samples?.length).filter((n): n is number => n !== undefined);
  const median = sampled.length > 0 ? `median of ${Math.min(...sampled)} READs after ${result.warmup ?? 0} warm-up` : 'one READ';
  const measured = measuredGBps === undefined ? 'no rank reported a bandwidth' : `${fmt(measuredGBps)} GB/s (${median})`;
  const verdict = (cause: TransferFailureCause, message: string): TransferVerdict => {
    const v: TransferVerdict = { pass: false, cause, message };
    if (measuredGBps !== undefined) v.measuredGBps = measuredGBps;
    return v;
  };

  if (result.error || (!result.ok && result.ranks.every((r) => r.passed))) {
    return verdict('error', `${where} failed: ${result.error ?? 'the test reported failure without details'}`);
  }
  const failed = result.ranks.filter((r) => !r.passed);
  if (failed.length > 0 || result.ranks.length === 0) {
    const which = failed.map((r) => `decode rank ${r.rank}${r.error ? ` (${r.error})` : ''}`).join(', ');
    return verdict('validation', `${where}: the moved KV blocks did not validate${which ? ` on ${which}` : ' (no rank reported)'}; the transfer is corrupt or incomplete`);
  }
  if (result.strategy === 'spread' && result.crossNode === false) {
    return verdict('placement', `${where}: both actors ran on the same node, so the network was not tested; Ray needs two GPU nodes with free GPUs (check \`ray status\`)`);
  }
  const transport = result.transport?.toLowerCase();
  if (transport?.startsWith('ud')) return verdict('ud_verbs', `${where}: ${measured} over ud_verbs. ${FIX_UD_VERBS}`);
  if (transport === 'tcp') return verdict('tcp', `${where}: ${measured} over tcp. ${FIX_TCP}`);
  if (gate.expectedTransports && transport && !gate.expectedTransports.map((t) => t.toLowerCase()).includes(transport)) {
    return verdict('transport', `${where}: transport ${transport}, expected ${gate.expectedTransports.join(' or ')} (${measured}); check UCX_TLS and the UCX build`);
  }
  const minSamples = gate.minSamples ?? 3;
  const few = result.ranks.find((r) => (r.samples?.length ?? 0) < minSamples);
  if (few) {
    return verdict('samples', `${where}: decode rank ${few.rank} timed ${few.samples?.length ?? 0} READ(s); the gate takes the median of at least ${minSamples} after a warm-up: run transfer_test.py with --iters ${minSamples} --warmup 1 or more`);
  }
  if (measuredGBps === undefined || measuredGBps < gate.minGBps) {
    const hint = measuredGBps !== undefined && measuredGBps < 1
      ? 'under 1 GB/s usually means the wrong transport (ud_verbs or tcp): check `ucx_info -d | grep srd` and UCX_TLS'
      : 'check for NIXL_LOG_LEVEL=DEBUG or FI_LOG_LEVEL=debug (they slow transfers 5-10x), busy GPUs, or fewer EFA devices than expected';
    return verdict('bandwidth', `${where}: ${measured}, under the ${fmt(gate.minGBps)} GB/s floor (network.minBandwidthGBps); ${hint}`);
  }
  const pass: TransferVerdict = { pass: true, measuredGBps, message: `${where}: ${measured} (floor ${fmt(gate.minGBps)} GB/s${gate.targetGBps !== undefined ? `, target ${fmt(gate.targetGBps)} GB/s` : ''})` };
  if (gate.targetGBps !== undefined && measuredGBps < gate.targetGBps) {
    pass.warning = `${where}: ${measured} is under the ${fmt(gate.targetGBps)} GB/s target (network.targetBandwidthGBps) but over the floor; KV transfers will lengthen TTFT: check that every EFA device is used (UCX_NET_DEVICES unset) and no debug logging is on`;
  }
  return pass;
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
