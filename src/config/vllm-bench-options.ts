// The options of `vllm bench serve` in vLLM 0.11.0 (vllm/benchmarks/serve.py add_cli_args and
// datasets.py add_dataset_parser of the 0.11.0 sdist), and the ones pdflow sets itself from the
// sweep file, so a sweep's bench.extraArgs is checked before an overnight run rather than after a deploy.

/** Every option vLLM 0.11.0's `vllm bench serve` accepts (argparse exits 2 on any other). */
export const VLLM_BENCH_SERVE_OPTIONS_0_11: readonly string[] = [
  '--append-result', '--backend', '--base-url', '--blazedit-max-distance', '--blazedit-min-distance', '--burstiness',
  '--custom-output-len', '--custom-skip-chat-template', '--dataset-name', '--dataset-path', '--disable-tqdm',
  '--endpoint', '--endpoint-type', '--goodput', '--header', '--hf-name', '--hf-output-len', '--hf-split',
  '--hf-subset', '--host', '--ignore-eos', '--label', '--logprobs', '--lora-modules', '--max-concurrency',
  '--metadata', '--metric-percentiles', '--min-p', '--model', '--no-oversample', '--no-stream', '--num-prompts',
  '--percentile-metrics', '--port', '--prefix-repetition-num-prefixes', '--prefix-repetition-output-len',
  '--prefix-repetition-prefix-len', '--prefix-repetition-suffix-len', '--profile', '--ramp-up-end-rps',
  '--ramp-up-start-rps', '--ramp-up-strategy', '--random-batch-size', '--random-input-len',
  '--random-mm-base-items-per-request', '--random-mm-bucket-config', '--random-mm-limit-mm-per-prompt',
  '--random-mm-num-mm-items-range-ratio', '--random-output-len', '--random-prefix-len', '--random-range-ratio',
  '--ready-check-timeout-sec', '--request-id-prefix', '--request-rate', '--result-dir', '--result-filename',
  '--save-detailed', '--save-result', '--seed', '--served-model-name', '--sharegpt-output-len', '--sonnet-input-len',
  '--sonnet-output-len', '--sonnet-prefix-len', '--spec-bench-category', '--spec-bench-output-len', '--temperature',
  '--tokenizer', '--tokenizer-mode', '--top-k', '--top-p', '--trust-remote-code', '--use-beam-search',
];

/** Options bench.sh sets from the sweep file: the field to set instead of passing them in extraArgs. */
export const VLLM_BENCH_OPTIONS_SET_BY_PDFLOW: Readonly<Record<string, string>> = {
  '--backend': 'nothing (pdflow runs the seed\'s --backend vllm)',
  '--base-url': 'the cluster\'s head node (model served on port 8000)',
  '--endpoint': 'nothing (pdflow uses /v1/completions)',
  '--model': 'model.id',
  '--served-model-name': 'model.servedName',
  '--ignore-eos': 'bench.ignoreEos',
  '--num-prompts': 'load.promptsPerConcurrency or load.numPrompts',
  '--max-concurrency': 'load.concurrency or load.maxConcurrency',
  '--request-rate': 'load.requestRate',
  '--burstiness': 'load.burstiness',
  '--dataset-name': 'bench.dataset',
  '--prefix-repetition-prefix-len': 'workloads[].isl and workloads[].mode',
  '--prefix-repetition-suffix-len': 'workloads[].isl and workloads[].mode',
  '--prefix-repetition-num-prefixes': 'nothing (pdflow uses 1 prefix, as the seed)',
  '--prefix-repetition-output-len': 'workloads[].osl and workloads[].mode',
  '--random-prefix-len': 'workloads[].isl and workloads[].mode',
  '--random-input-len': 'workloads[].isl and workloads[].mode',
  '--random-output-len': 'workloads[].osl and workloads[].mode',
  '--percentile-metrics': 'bench.percentileMetrics',
  '--metric-percentiles': 'bench.metricPercentiles',
  '--seed': 'bench.seed',
  '--save-result': 'nothing (pdflow always saves the result)',
  '--result-dir': 'nothing (pdflow chooses where results go)',
  '--result-filename': 'nothing (pdflow names each point\'s file)',
};
