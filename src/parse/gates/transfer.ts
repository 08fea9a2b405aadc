// The validate gate: the NIXL transfer test's bandwidth and transport against the threshold.
import type { TransferTestResult } from '../transfer-test.js';

export interface TransferGate {
  /** Minimum per-rank bandwidth in GB/s (1 GB = 1e9 bytes); 10 on the reference cluster. */
  minGBps: number;
  /** Transports accepted, e.g. ["srd"] across nodes; undefined: not checked. */
  expectedTransports?: string[];
  /** For messages, e.g. "worker-1 → worker-2". */
  label?: string;
}

export type TransferFailureCause = 'error' | 'validation' | 'placement' | 'ud_verbs' | 'tcp' | 'transport' | 'bandwidth';

export interface TransferVerdict {
  pass: boolean;
  cause?: TransferFailureCause;
  /** Slowest rank, GB/s; undefined when no rank reported. */
  measuredGBps?: number;
  /** One sentence: what was measured and, on failure, the likely cause and what to do. */
  message: string;
}

const FIX_UD_VERBS =
  'UCX was built without EFA (no srd transport), so it fell back to ud_verbs: rebuild UCX with --with-efa (the build stage) and check that `ucx_info -d | grep srd` lists every EFA device';
const FIX_TCP =
  'UCX moved the data over TCP: check UCX_TLS (unset it, or include srd / cuda_ipc) and UCX_NET_DEVICES, and that the EFA devices and the security group allow EFA traffic between the nodes';

export function checkTransfer(result: TransferTestResult, gate: TransferGate): TransferVerdict {
  const where = `${result.strategy} transfer${gate.label ? ` ${gate.label}` : ''} (${result.backend}${result.transport ? `/${result.transport}` : ''})`;
  const rates = result.ranks.map((r) => r.mbps / 1000);
  const measuredGBps = rates.length > 0 ? Math.min(...rates) : undefined;
  const measured = measuredGBps === undefined ? 'no rank reported a bandwidth' : `${fmt(measuredGBps)} GB/s`;
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
  if (measuredGBps === undefined || measuredGBps < gate.minGBps) {
    const hint = measuredGBps !== undefined && measuredGBps < 1
      ? 'under 1 GB/s usually means the wrong transport (ud_verbs or tcp): check `ucx_info -d | grep srd` and UCX_TLS'
      : 'check for NIXL_LOG_LEVEL=DEBUG or FI_LOG_LEVEL=debug (they slow transfers 5-10x), busy GPUs, or fewer EFA devices than expected';
    return verdict('bandwidth', `${where}: ${measured}, under the ${fmt(gate.minGBps)} GB/s threshold; ${hint}`);
  }
  return { pass: true, measuredGBps, message: `${where}: ${measured} (threshold ${fmt(gate.minGBps)} GB/s)` };
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
