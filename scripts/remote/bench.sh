#!/usr/bin/env bash
# One benchmark point: `vllm bench serve` with the seed's flags (its run_bm.sh) against a deployed endpoint.
#
#   bench.sh --base-url http://HEAD:8000 --model openai/gpt-oss-120b --served-model-name gptoss
#            --isl 5000 --osl 250 --num-prompts 80 [--max-concurrency 16] [--request-rate 4]
#            [--burstiness 1] [--dataset prefix_repetition|random] [--mode mixed|prefill-only|decode-only]
#            [--ignore-eos|--no-ignore-eos] [--percentile-metrics ttft,tpot,itl,e2el]
#            [--metric-percentiles 50,90,99] [--seed 0] --result-dir DIR --result-filename conc16.json
#            [--venv DIR] [--dry-run] [-- EXTRA VLLM ARGS...]
#
# Unset --max-concurrency and --request-rate mean "unlimited", passed as the seed does: 1000000000
# (a request-rate sweep runs with --max-concurrency 1000000000; --concurrency is an alias).
# Runs (argument vector, nothing through a shell string), e.g. for the defaults:
#   vllm bench serve --backend vllm --base-url URL --endpoint /v1/completions --model ID
#     --served-model-name NAME --ignore-eos --num-prompts N --max-concurrency C --request-rate R
#     --burstiness B --dataset-name prefix_repetition --prefix-repetition-prefix-len 0
#     --prefix-repetition-suffix-len ISL --prefix-repetition-num-prefixes 1
#     --prefix-repetition-output-len OSL --percentile-metrics ... --metric-percentiles ... --seed S
#     --save-result --result-dir DIR --result-filename F
# Modes as run_bm.sh: prefill-only asks for 1 output token; decode-only makes the whole prompt one
# shared prefix (prefix ISL, suffix 0; random: --random-prefix-len ISL --random-input-len 0).
# --dry-run prints the vllm argument vector (NUL-separated) and exits without running it.
# Then prints `RESULT_FILE=<path>` and ONE JSON line:
#   {"ok", "exitCode", "resultFile", "seconds", "completed", "duration", "outputThroughput",
#    "totalTokenThroughput", "meanTtftMs", "medianTtftMs", "p99TtftMs", "meanTpotMs", "medianTpotMs",
#    "p99ItlMs", "error"}
# The result file is the full vLLM 0.11 JSON; the summary is for the log and quick checks.
set -uo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "bench.sh: $*" >&2; exit 2; }

# The seed's stand-in for "no limit" (run_bm.sh passes it for the load knob it does not sweep).
UNLIMITED=1000000000
base_url= model= served= isl= osl= num_prompts= concurrency=$UNLIMITED rate=$UNLIMITED burstiness=1
dataset=prefix_repetition mode=mixed ignore_eos=1 metrics=ttft,tpot,itl,e2el percentiles=50,90,99
result_dir= result_file= seed=0 venv= dry_run=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --base-url) base_url=${2-}; shift 2 ;;
    --model) model=${2-}; shift 2 ;;
    --served-model-name) served=${2-}; shift 2 ;;
    --isl) isl=${2-}; shift 2 ;;
    --osl) osl=${2-}; shift 2 ;;
    --num-prompts) num_prompts=${2-}; shift 2 ;;
    --max-concurrency|--concurrency) concurrency=${2-}; shift 2 ;;
    --request-rate) rate=${2-}; shift 2 ;;
    --burstiness) burstiness=${2-}; shift 2 ;;
    --dataset) dataset=${2-}; shift 2 ;;
    --mode) mode=${2-}; shift 2 ;;
    --ignore-eos) ignore_eos=1; shift ;;
    --no-ignore-eos) ignore_eos=; shift ;;
    --percentile-metrics) metrics=${2-}; shift 2 ;;
    --metric-percentiles) percentiles=${2-}; shift 2 ;;
    --result-dir) result_dir=${2-}; shift 2 ;;
    --result-filename) result_file=${2-}; shift 2 ;;
    --seed) seed=${2-}; shift 2 ;;
    --venv) venv=${2-}; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

for pair in "base-url:$base_url" "model:$model" "served-model-name:$served" "isl:$isl" "osl:$osl" \
            "num-prompts:$num_prompts" "result-dir:$result_dir" "result-filename:$result_file"; do
  [ -n "${pair#*:}" ] || die "--${pair%%:*} is required"
done
for pair in "isl:$isl" "osl:$osl" "num-prompts:$num_prompts" "max-concurrency:$concurrency" "seed:$seed"; do
  [[ ${pair#*:} =~ ^[0-9]+$ ]] || die "--${pair%%:*} '${pair#*:}' must be a whole number"
done
[[ $rate =~ ^([0-9]+(\.[0-9]*)?([eE][0-9]+)?|inf)$ ]] || die "--request-rate '$rate' must be a number ($UNLIMITED = unlimited) or inf"
[[ $burstiness =~ ^[0-9]+(\.[0-9]*)?$ ]] || die "--burstiness '$burstiness' must be a positive number (1 = Poisson)"
[[ $metrics =~ ^(ttft|tpot|itl|e2el)(,(ttft|tpot|itl|e2el))*$ ]] || die "--percentile-metrics '$metrics' must be a comma list of ttft, tpot, itl, e2el"
[[ $percentiles =~ ^[0-9]+(\.[0-9]+)?(,[0-9]+(\.[0-9]+)?)*$ ]] || die "--metric-percentiles '$percentiles' must be a comma list of numbers, e.g. 50,90,99"
case $base_url in http://*|https://*) ;; *) die "--base-url '$base_url' must start with http:// or https://" ;; esac
case $result_file in */*|'') die "--result-filename '$result_file' must be a file name, not a path (use --result-dir)" ;; esac

# What each request asks for (run_bm.sh): prefill-only wants one token; decode-only sends one shared
# prefix as the whole prompt, so after the first request its prefill is a prefix-cache hit.
out_len=$osl prefix_len=0 body_len=$isl
case $mode in
  mixed) ;;
  prefill-only) out_len=1 ;;
  decode-only) prefix_len=$isl body_len=0 ;;
  *) die "--mode '$mode' must be mixed, prefill-only or decode-only" ;;
esac
case $dataset in
  prefix_repetition)
    data_args=(--dataset-name prefix_repetition --prefix-repetition-prefix-len "$prefix_len"
               --prefix-repetition-suffix-len "$body_len" --prefix-repetition-num-prefixes 1
               --prefix-repetition-output-len "$out_len") ;;
  random)
    data_args=(--dataset-name random --random-prefix-len "$prefix_len" --random-input-len "$body_len"
               --random-output-len "$out_len") ;;
  *) die "--dataset '$dataset' must be prefix_repetition or random" ;;
esac

vllm_args=(bench serve --backend vllm --base-url "$base_url" --endpoint /v1/completions --model "$model"
     --served-model-name "$served" ${ignore_eos:+--ignore-eos} --num-prompts "$num_prompts"
     --max-concurrency "$concurrency" --request-rate "$rate" --burstiness "$burstiness" "${data_args[@]}"
     --percentile-metrics "$metrics" --metric-percentiles "$percentiles" --seed "$seed"
     --save-result --result-dir "$result_dir" --result-filename "$result_file" "${extra[@]}")
if [ -n "$dry_run" ]; then
  printf '%s\0' "${vllm_args[@]}"
  exit 0
fi

if [ -n "$venv" ]; then
  vllm_bin=$venv/bin/vllm py=$venv/bin/python
else
  vllm_bin=$(command -v vllm || true) py=$(command -v python3 || true)
fi
[ -n "$vllm_bin" ] && [ -x "$vllm_bin" ] || die "vllm not found (${venv:+in $venv/bin; }give --venv DIR of the venv with vLLM)"

mkdir -p -- "$result_dir" || die "cannot create --result-dir '$result_dir'"
out=$result_dir/$result_file
rm -f -- "$out"

cmd=("$vllm_bin" "${vllm_args[@]}")
echo "::phase bench"
printf '+'; printf ' %q' "${cmd[@]}"; echo
start=$(date +%s.%N)
"${cmd[@]}"
code=$?
end=$(date +%s.%N)
echo "RESULT_FILE=$out"

"${py:-python3}" - "$out" "$code" "$start" "$end" <<'PY'
import json, math, sys
path, code, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
out = {"ok": False, "exitCode": code, "resultFile": path, "seconds": round(end - start, 3), "error": None}
try:
    # Python's json writes Infinity/NaN; keep them out of our one-line summary.
    with open(path) as f:
        r = json.load(f)
    def num(k):
        v = r.get(k)
        return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v
    for key, src in (("completed", "completed"), ("duration", "duration"), ("outputThroughput", "output_throughput"),
                     ("totalTokenThroughput", "total_token_throughput"), ("meanTtftMs", "mean_ttft_ms"),
                     ("medianTtftMs", "median_ttft_ms"), ("p99TtftMs", "p99_ttft_ms"), ("meanTpotMs", "mean_tpot_ms"),
                     ("medianTpotMs", "median_tpot_ms"), ("p99ItlMs", "p99_itl_ms")):
        out[key] = num(src)
    out["ok"] = code == 0 and bool(out["completed"])
    if not out["ok"]:
        out["error"] = "vllm bench serve exited %d" % code if code else "no completed requests"
except (OSError, ValueError) as e:
    out["error"] = "vllm bench serve exited %d and wrote no result (%s)" % (code, e.__class__.__name__)
print(json.dumps(out))
PY
[ "$code" -eq 0 ] || exit "$code"
