// The report's "Energy and cost" section: per point, what the GPUs drew, output tokens per joule,
// cost per million output tokens, bytes over EFA and whether the GPUs throttled. Empty when no
// record was sampled or priced, so reports of older runs do not change.
import { fmtNumber, flaggedName, loadLabel, workloadLabel } from './labels.js';
import { costPerMillionOutputTokensUsd, outputTokensPerJoule } from './point-energy.js';
import type { BenchPointRecord } from './records.js';
import { markdownTable } from './text-table.js';

const gb = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 1e9);

export function energyCostSection(records: BenchPointRecord[]): string[] {
  const rows = records.filter((r) => r.status === 'ok' && (r.gpu || r.hourlyUsd !== undefined));
  if (rows.length === 0) return [];
  const sorted = [...rows].sort((a, b) => a.deployment.name.localeCompare(b.deployment.name) || a.pointId.localeCompare(b.pointId));
  const out = [
    '## Energy and cost',
    '',
    'What the deployment\'s GPUs drew during each benchmark (nvidia-smi sampled about once a second on every GPU node), ' +
      'output tokens per joule (output tok/s over the GPUs\' mean draw), cost per million output tokens ' +
      '(the nodes\' hourly prices times the share of their GPUs the deployment uses, over its output tok/s) ' +
      'and bytes over EFA. A point whose GPUs throttled (HW slowdown, SW power cap, thermal, power brake) is flagged ⚠ and never "best".',
    '',
    markdownTable(
      ['deployment', 'workload', 'load', 'energy kJ', 'mean W', 'p95 W', 'GPU util %', 'out tok/J', '$/M out tok', 'EFA rx GB', 'EFA tx GB', 'throttled'],
      sorted.map((r) => {
        const g = r.gpu;
        return [
          flaggedName(r), workloadLabel(r.workload), loadLabel(r.load), fmtNumber(g?.energyJ === undefined ? undefined : g.energyJ / 1000, 1),
          fmtNumber(g?.meanPowerW, 0), fmtNumber(g?.p95PowerW, 0), fmtNumber(g?.meanUtilPct, 0), fmtNumber(outputTokensPerJoule(r), 3),
          fmtNumber(costPerMillionOutputTokensUsd(r), 3), fmtNumber(gb(g?.efaRxBytes), 2), fmtNumber(gb(g?.efaTxBytes), 2),
          g ? (g.throttled ? `⚠ ${g.throttleReasons.join(', ')}` : 'no') : '-',
        ];
      }),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
  ];
  return out;
}
