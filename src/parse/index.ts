// Parsers for what the nodes print, and the gates built on them. Pure: no I/O.
export * from './errors.js';
export * from './text.js';
export * from './nvidia-smi.js';
export * from './fi-info.js';
export * from './ucx-info.js';
export * from './ray-nodes.js';
export * from './json-line.js';
export * from './ucx-proto-info.js';
export * from './transfer-test.js';
export * from './vllm-bench.js';
export * from './gates/index.js';
export * from './python-env.js';
export * from './inventory.js';
export * from './prerequisites.js';
export * from './build-json.js';
export * from './answers.js';
export * from './gpu-samples.js';
