// The file-system side of the analysis: import folders of results, write report folders.
// render-svg (vega) is not here: write-report loads it when it draws plots.
export * from './write-report.js';
export * from './import-folders.js';
export * from './write-seed-layout.js';
export * from './vega-libraries.js';
