#!/usr/bin/env bash
# One benchmark point: `vllm bench serve` with the seed's flags against a deployed endpoint.
#
#   bench.sh --base-url http://HEAD:8000 --model openai/gpt-oss-120b --served-model-name gptoss
#            --isl 5000 --osl 250 --num-prompts 80 --concurrency 16 [--request-rate 1e9]
#            --result-dir DIR --result-filename conc16.json [--seed 0] [--venv DIR] [-- EXTRA ARGS...]
#
# Runs (argument vector, nothing through a shell string):
#   vllm bench serve --backend openai --base-url URL --endpoint /v1/completions --model ID
#     --served-model-name NAME --dataset-name random --random-input-len ISL --random-output-len OSL
#     --ignore-eos --num-prompts N --max-concurrency C --request-rate R --save-result
#     --result-dir DIR --result-filename F --percentile-metrics ttft,tpot,itl,e2el
#     --metric-percentiles 50,90,99 --seed S
# then prints `RESULT_FILE=<path>` and ONE JSON line:
#   {"ok", "exitCode", "resultFile", "seconds", "completed", "duration", "outputThroughput",
#    "totalTokenThroughput", "meanTtftMs", "medianTtftMs", "p99TtftMs", "meanTpotMs", "medianTpotMs",
#    "p99ItlMs", "error"}
# The result file is the full vLLM 0.11 JSON; the summary is for the log and quick checks.
set -uo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "bench.sh: $*" >&2; exit 2; }

base_url= model= served= isl= osl= num_prompts= concurrency= rate=1e9 result_dir= result_file= seed=0 venv=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --base-url) base_url=${2-}; shift 2 ;;
    --model) model=${2-}; shift 2 ;;
    --served-model-name) served=${2-}; shift 2 ;;
    --isl) isl=${2-}; shift 2 ;;
    --osl) osl=${2-}; shift 2 ;;
    --num-prompts) num_prompts=${2-}; shift 2 ;;
    --concurrency) concurrency=${2-}; shift 2 ;;
    --request-rate) rate=${2-}; shift 2 ;;
    --result-dir) result_dir=${2-}; shift 2 ;;
    --result-filename) result_file=${2-}; shift 2 ;;
    --seed) seed=${2-}; shift 2 ;;
    --venv) venv=${2-}; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

for pair in "base-url:$base_url" "model:$model" "served-model-name:$served" "isl:$isl" "osl:$osl" \
            "num-prompts:$num_prompts" "concurrency:$concurrency" "result-dir:$result_dir" "result-filename:$result_file"; do
  [ -n "${pair#*:}" ] || die "--${pair%%:*} is required"
done
for pair in "isl:$isl" "osl:$osl" "num-prompts:$num_prompts" "concurrency:$concurrency" "seed:$seed"; do
  [[ ${pair#*:} =~ ^[0-9]+$ ]] || die "--${pair%%:*} '${pair#*:}' must be a whole number"
done
[[ $rate =~ ^([0-9]+(\.[0-9]*)?([eE][0-9]+)?|inf)$ ]] || die "--request-rate '$rate' must be a number (1e9 = unlimited) or inf"
case $base_url in http://*|https://*) ;; *) die "--base-url '$base_url' must start with http:// or https://" ;; esac
case $result_file in */*|'') die "--result-filename '$result_file' must be a file name, not a path (use --result-dir)" ;; esac

if [ -n "$venv" ]; then
  vllm_bin=$venv/bin/vllm py=$venv/bin/python
else
  vllm_bin=$(command -v vllm || true) py=$(command -v python3 || true)
fi
[ -n "$vllm_bin" ] && [ -x "$vllm_bin" ] || die "vllm not found (${venv:+in $venv/bin; }give --venv DIR of the venv with vLLM)"

mkdir -p -- "$result_dir" || die "cannot create --result-dir '$result_dir'"
out=$result_dir/$result_file
rm -f -- "$out"

cmd=("$vllm_bin" bench serve --backend openai --base-url "$base_url" --endpoint /v1/completions --model "$model"
     --served-model-name "$served" --dataset-name random --random-input-len "$isl" --random-output-len "$osl"
     --ignore-eos --num-prompts "$num_prompts" --max-concurrency "$concurrency" --request-rate "$rate" --save-result
     --result-dir "$result_dir" --result-filename "$result_file" --percentile-metrics ttft,tpot,itl,e2el
     --metric-percentiles 50,90,99 --seed "$seed" "${extra[@]}")
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
