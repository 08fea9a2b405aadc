// The file-system side of the analysis: import folders of results, write report folders.
export * from './render-svg.js';
export * from './write-report.js';
export * from './import-folders.js';
export * from './write-seed-layout.js';
export * from './vega-libraries.js';
