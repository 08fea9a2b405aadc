// Vega-Lite specs for the report's plots (pure: specs only; SVG rendering is in analysis-io).
// Like the seed's viz.py: TPOT and TTFT against concurrency, output throughput per GPU against
// TPOT, and the pareto frontier; one series per deployment, log axes where ranges span decades.
import type { TopLevelSpec } from 'vega-lite';
import { flagsText, isFlagged } from './known-bad.js';
import { flaggedName, loadLabel } from './labels.js';
import type { ResultsSummary, WorkloadSummary } from './summary.js';
import type { PlotRef } from './markdown.js';

export interface PlotSpec extends PlotRef {
  spec: TopLevelSpec;
}

interface Row {
  deployment: string;
  concurrency: number | null;
  requestRate: number | null;
  load: number;
  /** "conc 16", "4 req/s, conc ≤ 128": the tables' words, for tooltips. */
  loadLabel: string;
  tpot: number;
  ttft: number;
  outPerGpu: number;
  interactivity: number | null;
  status: string;
  /** Flagged points are drawn hollow, their series dashed, and say why in the tooltip. */
  flagged: boolean;
  flags: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SIZE = { width: 520, height: 340 };
// Full deployment names in the legend; log axes fit the data instead of whole decades.
const CONFIG = { legend: { labelLimit: 0 } } as const;
const LOG = { type: 'log', nice: false, padding: 12 } as const;
const COLOR = { field: 'deployment', type: 'nominal', title: 'Deployment', scale: { scheme: 'tableau10' } } as const;
// What a point is, in report.html's tooltips (the SVGs carry it as each mark's aria description).
const TOOLTIP = [
  { field: 'deployment', type: 'nominal' },
  { field: 'loadLabel', type: 'nominal', title: 'load' },
  { field: 'tpot', type: 'quantitative', title: 'median TPOT ms', format: '.2f' },
  { field: 'ttft', type: 'quantitative', title: 'median TTFT ms', format: '.0f' },
  { field: 'outPerGpu', type: 'quantitative', title: 'out tok/s/GPU', format: '.1f' },
  { field: 'interactivity', type: 'quantitative', title: 'tok/s/user', format: '.1f' },
  { field: 'status', type: 'nominal', title: 'frontier' },
  { field: 'flags', type: 'nominal', title: 'flags' },
] as const;
// Flagged points: hollow markers and a dashed line, so a plot never shows them as results.
const DASH = { field: 'flagged', type: 'nominal', title: 'Flagged (⚠)', scale: { domain: [false, true], range: [[1, 0], [5, 3]] } } as const;
const FLAGGED = 'datum.flagged';
const PARETO_POINT = {
  x: { field: 'interactivity', type: 'quantitative', title: 'Interactivity (tok/s/user = 1000 / median TPOT)', scale: { zero: false, padding: 12 } },
  y: { field: 'outPerGpu', type: 'quantitative', title: 'Output tok/s per GPU', scale: LOG },
  color: COLOR,
  shape: { field: 'status', type: 'nominal', title: 'Frontier', scale: { domain: ['frontier', 'near', 'dominated', 'out-of-sla', 'flagged'], range: ['diamond', 'square', 'circle', 'cross', 'triangle-up'] } },
  opacity: { condition: { test: "datum.status === 'frontier' || datum.status === 'near' || datum.flagged", value: 1 }, value: 0.4 },
  tooltip: [...TOOLTIP],
} as const;
const UNFLAGGED = '!datum.flagged';

/** Every plot of every workload; request-rate points get their own "vs request rate" plots. */
export function plotSpecs(summary: ResultsSummary, dir = 'plots'): PlotSpec[] {
  return summary.workloads.flatMap((w) => workloadPlots(w, `${dir}/${w.key}`));
}

function rows(w: WorkloadSummary): Row[] {
  return w.points.map((p) => {
    const r = p.record;
    const m = r.metrics!;
    return {
      deployment: flaggedName(r),
      concurrency: r.load.concurrency ?? null,
      requestRate: r.load.requestRate ?? null,
      load: r.load.requestRate ?? r.load.concurrency ?? 0,
      loadLabel: loadLabel(r.load),
      tpot: m.tpotMs.median,
      ttft: m.ttftMs.median,
      outPerGpu: m.outputThroughputPerGpu,
      interactivity: m.interactivity,
      status: p.status,
      flagged: isFlagged(r),
      flags: flagsText(r),
    };
  });
}

function workloadPlots(w: WorkloadSummary, dir: string): PlotSpec[] {
  const all = rows(w);
  const byConcurrency = all.filter((r) => r.requestRate === null && r.concurrency !== null);
  const byRate = all.filter((r) => r.requestRate !== null);
  const plots: PlotSpec[] = [];
  const add = (name: string, title: string, spec: TopLevelSpec) => plots.push({ file: `${dir}/${name}.svg`, title: `${title} — ${w.label}`, workloadKey: w.key, spec });

  if (byConcurrency.length > 0) {
    add('tpot-vs-concurrency', 'Median TPOT vs concurrency', line(byConcurrency, 'concurrency', 'Concurrency', 'tpot', 'Median TPOT (ms)', `Median TPOT vs concurrency — ${w.label}`));
    add('ttft-vs-concurrency', 'Median TTFT vs concurrency', line(byConcurrency, 'concurrency', 'Concurrency', 'ttft', 'Median TTFT (ms)', `Median TTFT vs concurrency — ${w.label}`));
  }
  if (byRate.length > 0) {
    add('tpot-vs-request-rate', 'Median TPOT vs request rate', line(byRate, 'requestRate', 'Request rate (req/s)', 'tpot', 'Median TPOT (ms)', `Median TPOT vs request rate — ${w.label}`));
    add('ttft-vs-request-rate', 'Median TTFT vs request rate', line(byRate, 'requestRate', 'Request rate (req/s)', 'ttft', 'Median TTFT (ms)', `Median TTFT vs request rate — ${w.label}`));
  }
  const positive = all.filter((r) => r.tpot > 0);
  if (positive.length > 0) {
    add('throughput-vs-tpot', 'Output throughput per GPU vs TPOT', {
      $schema: SCHEMA, ...SIZE, config: CONFIG, title: `Output throughput per GPU vs median TPOT — ${w.label}`,
      data: { values: positive },
      encoding: {
        x: { field: 'tpot', type: 'quantitative', title: 'Median TPOT (ms)', scale: LOG },
        y: { field: 'outPerGpu', type: 'quantitative', title: 'Output tok/s per GPU', scale: LOG },
        color: COLOR,
        order: { field: 'load', type: 'quantitative' },
        tooltip: [...TOOLTIP],
      },
      layer: seriesLayers(positive),
    });
  }
  const placed = all.filter((r) => r.interactivity !== null && r.outPerGpu > 0);
  if (placed.length > 0) {
    add('pareto', 'Pareto frontier: output throughput per GPU vs interactivity', {
      $schema: SCHEMA, ...SIZE, config: CONFIG, title: `Pareto frontier — ${w.label}`,
      data: { values: placed },
      layer: [
        // The frontier line first: the points over it, so a pointer over a point reaches the point.
        {
          transform: [{ filter: "datum.status === 'frontier'" }],
          mark: { type: 'line', color: 'black', strokeDash: [4, 3], strokeWidth: 1.5 },
          encoding: {
            x: { field: 'interactivity', type: 'quantitative', scale: { zero: false, padding: 12 } },
            y: { field: 'outPerGpu', type: 'quantitative', scale: LOG },
            order: { field: 'interactivity', type: 'quantitative' },
          },
        },
        { transform: [{ filter: UNFLAGGED }], mark: { type: 'point', filled: true, size: 70 }, encoding: { ...PARETO_POINT, tooltip: [...PARETO_POINT.tooltip] } },
        { transform: [{ filter: FLAGGED }], mark: { type: 'point', filled: false, size: 70, strokeWidth: 2 }, encoding: { ...PARETO_POINT, tooltip: [...PARETO_POINT.tooltip] } },
      ],
    });
  }
  return plots;
}

function line(values: Row[], x: 'concurrency' | 'requestRate', xTitle: string, y: 'tpot' | 'ttft', yTitle: string, title: string): TopLevelSpec {
  return {
    $schema: SCHEMA, ...SIZE, config: CONFIG, title,
    data: { values: values.filter((r) => r[y] > 0) },
    encoding: {
      x: { field: x, type: 'quantitative', title: xTitle, scale: LOG },
      y: { field: y, type: 'quantitative', title: yTitle, scale: LOG },
      color: COLOR,
      order: { field: x, type: 'quantitative' },
      tooltip: [...TOOLTIP],
    },
    layer: seriesLayers(values),
  };
}

/** One line per deployment (dashed when flagged), filled points, hollow ones for flagged points. */
function seriesLayers(values: Row[]) {
  return [
    // The dash legend only where something is flagged: clean plots stay as they were.
    { mark: { type: 'line' } as const, encoding: values.some((r) => r.flagged) ? { strokeDash: DASH } : {} },
    { transform: [{ filter: UNFLAGGED }], mark: { type: 'point', filled: true } as const },
    { transform: [{ filter: FLAGGED }], mark: { type: 'point', filled: false, strokeWidth: 2, size: 60 } as const },
  ];
}
