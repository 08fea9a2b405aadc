// Metrics, pareto frontier, SLA tiers and reports over benchmark point records. Pure: no I/O.
export * from './records.js';
export * from './labels.js';
export * from './metrics.js';
export * from './pareto.js';
export * from './sla.js';
export * from './summary.js';
export * from './csv.js';
export * from './markdown.js';
export * from './terminal.js';
export * from './plots.js';
export * from './json-report.js';
export * from './folder-name.js';
export * from './import.js';
export * from './point-record.js';
export * from './seed-layout.js';
