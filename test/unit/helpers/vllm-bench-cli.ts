// What `vllm bench serve` would be run with: bench.sh's own --dry-run (the real script, unchanged)
// prints the argument vector; the emulated vllm's argparse parser (which mirrors 0.11.0's option
// set) reads it as the real one would, and the dataset sampler says what the requests would be.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BENCH_SH = path.join(repoRoot, 'scripts/remote/bench.sh');
const PYPATH = ['src/sim/pypkgs/vllm', 'src/sim/pypkgs/pdflow-sim'].map((p) => path.join(repoRoot, p)).join(path.delimiter);

/** The options of the real 0.11.0 `vllm bench serve` (test/fixtures, extracted from the sdist). */
export interface RealOption {
  takes: 'flag' | 'value' | 'list';
  nargs?: string;
  type?: string;
  choices?: string[];
  required?: boolean;
  default?: unknown;
}
export const REAL_OPTIONS: Record<string, RealOption> = (JSON.parse(
  readFileSync(path.join(repoRoot, 'test/fixtures/vllm-0.11.0-bench-serve-options.json'), 'utf8'),
) as { options: Record<string, RealOption> }).options;

export interface DryRun {
  code: number;
  stderr: string;
  /** `vllm` arguments after `bench serve`. */
  argv: string[];
}

export function benchDryRun(args: string[]): DryRun {
  const r = spawnSync('bash', [BENCH_SH, '--dry-run', ...args], { encoding: 'utf8' });
  const all = r.stdout.split('\0').slice(0, -1);
  return { code: r.status ?? -1, stderr: r.stderr, argv: all.slice(0, 2).join(' ') === 'bench serve' ? all.slice(2) : all };
}

export interface ParsedBench {
  /** argparse's exit code and message when it refused the arguments. */
  error?: string;
  ns?: Record<string, unknown>;
  /** What the dataset would send: per-request input / output tokens and the shared prefix. */
  requests?: { inputs: number[]; outputs: number[]; sharedPrefix: number } | { error: string };
}

const PARSE = `
import json, sys, io, contextlib
from vllm.benchmarks import serve
out = []
for argv in json.load(sys.stdin):
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            ns = serve._parser().parse_args(serve._normalize(argv))
    except SystemExit as e:
        out.append({"error": "exit %s: %s" % (e.code, err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else "")})
        continue
    item = {"ns": {k: (None if isinstance(v, float) and v == float("inf") else v) for k, v in vars(ns).items()}}
    try:
        inputs, outputs, shared = serve._requests(ns)
        item["requests"] = {"inputs": inputs, "outputs": outputs, "sharedPrefix": shared}
    except serve.BenchError as e:
        item["requests"] = {"error": str(e)}
    out.append(item)
print(json.dumps(out))
`;

/** Parses each argument vector with the emulated `vllm bench serve` parser (one python run). */
export function parseWithEmulatedVllm(argvs: string[][]): ParsedBench[] {
  const r = spawnSync('python3', ['-c', PARSE], { input: JSON.stringify(argvs), encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYPATH } });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ParsedBench[];
}

/** The emulated parser's options in the fixture's terms, for the conformance check. */
export function emulatedOptions(): Record<string, RealOption> {
  const code = `
import json, argparse
from vllm.benchmarks import serve
out = {}
for a in serve._parser()._actions:
    if isinstance(a, argparse._HelpAction):
        continue
    takes = "flag" if isinstance(a, argparse._StoreTrueAction) else ("list" if a.nargs in ("*", "+") else "value")
    d = {"takes": takes}
    if a.choices: d["choices"] = list(a.choices)
    if a.required: d["required"] = True
    dv = a.default
    d["default"] = "inf" if isinstance(dv, float) and dv == float("inf") else dv
    for o in a.option_strings:
        out[o] = d
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYPATH } });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, RealOption>;
}
