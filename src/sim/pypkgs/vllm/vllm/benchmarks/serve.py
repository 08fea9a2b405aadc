"""Emulated `vllm bench serve` (vLLM 0.11): same flags, console output and saved JSON.

It makes the real initial test request against the endpoint (so it fails like the real one when
the deployment is down), then reads which deployment serves the model from what its emulated
engines registered (vllm._sim.engines) and computes the benchmark with the pdflow performance model. The run takes
the modelled duration times PDFLOW_SIM_TIME_SCALE; the numbers in the JSON are the modelled
(real-hardware) ones."""
import argparse
import datetime
import json
import math
import os
import random
import sys
import time
import urllib.error
import urllib.request

from pdflow_sim import node as simnode
from pdflow_sim import perf_model


BACKENDS = ["vllm", "openai", "openai-chat", "openai-audio", "openai-embeddings"]
DATASETS = ["sharegpt", "burstgpt", "sonnet", "random", "random-mm", "hf", "custom", "prefix_repetition", "spec_bench"]


def _parser():
    """The option set of vLLM 0.11.0's `vllm bench serve` (benchmarks/serve.py add_cli_args and
    benchmarks/datasets.py add_dataset_parser): names, arity, types, choices and defaults, so a flag
    the real one would reject fails here too (argparse: exit 2, "unrecognized arguments")."""
    p = argparse.ArgumentParser(prog="vllm bench serve", description="Benchmark the online serving throughput.")
    a = p.add_argument
    # add_dataset_parser
    a("--seed", type=int, default=0)
    a("--num-prompts", type=int, default=1000)
    a("--dataset-name", type=str, default="random", choices=DATASETS)
    a("--no-stream", action="store_true")
    a("--dataset-path", type=str, default=None)
    a("--no-oversample", action="store_true")
    a("--custom-output-len", type=int, default=256)
    a("--custom-skip-chat-template", action="store_true")
    a("--spec-bench-output-len", type=int, default=256)
    a("--spec-bench-category", type=str, default=None)
    a("--sonnet-input-len", type=int, default=550)
    a("--sonnet-output-len", type=int, default=150)
    a("--sonnet-prefix-len", type=int, default=200)
    a("--sharegpt-output-len", type=int, default=None)
    a("--blazedit-min-distance", type=float, default=0.0)
    a("--blazedit-max-distance", type=float, default=1.0)
    a("--random-input-len", type=int, default=1024)
    a("--random-output-len", type=int, default=128)
    a("--random-range-ratio", type=float, default=0.0)
    a("--random-prefix-len", type=int, default=0)
    a("--random-batch-size", type=int, default=1)
    a("--random-mm-base-items-per-request", type=int, default=1)
    a("--random-mm-num-mm-items-range-ratio", type=float, default=0.0)
    a("--random-mm-limit-mm-per-prompt", type=json.loads, default={"image": 255, "video": 0})
    a("--random-mm-bucket-config", type=str, default=None)
    a("--hf-subset", type=str, default=None)
    a("--hf-split", type=str, default=None)
    a("--hf-name", type=str, default=None)
    a("--hf-output-len", type=int, default=None)
    a("--prefix-repetition-prefix-len", type=int, default=256)
    a("--prefix-repetition-suffix-len", type=int, default=256)
    a("--prefix-repetition-num-prefixes", type=int, default=10)
    a("--prefix-repetition-output-len", type=int, default=128)
    # add_cli_args
    a("--label", type=str, default=None)
    a("--backend", type=str, default="openai", choices=BACKENDS)
    a("--endpoint-type", type=str, default=None, choices=BACKENDS)  # deprecated in 0.11: kept, not used
    a("--base-url", type=str, default=None)
    a("--host", type=str, default="127.0.0.1")
    a("--port", type=int, default=8000)
    a("--endpoint", type=str, default="/v1/completions")
    a("--header", metavar="KEY=VALUE", nargs="*")
    a("--max-concurrency", type=int, default=None)
    a("--model", type=str, required=True)
    a("--tokenizer", type=str)
    a("--use-beam-search", action="store_true")
    a("--logprobs", type=int, default=None)
    a("--request-rate", type=float, default=float("inf"))
    a("--burstiness", type=float, default=1.0)
    a("--trust-remote-code", action="store_true")
    a("--disable-tqdm", action="store_true")
    a("--profile", action="store_true")
    a("--save-result", action="store_true")
    a("--save-detailed", action="store_true")
    a("--append-result", action="store_true")
    a("--metadata", metavar="KEY=VALUE", nargs="*")
    a("--result-dir", type=str, default=None)
    a("--result-filename", type=str, default=None)
    a("--ignore-eos", action="store_true")
    a("--percentile-metrics", type=str, default="ttft,tpot,itl")
    a("--metric-percentiles", type=str, default="99")
    a("--goodput", nargs="+", required=False)
    a("--request-id-prefix", type=str, required=False, default="benchmark-serving")
    a("--top-p", type=float, default=None)
    a("--top-k", type=int, default=None)
    a("--min-p", type=float, default=None)
    a("--temperature", type=float, default=None)
    a("--tokenizer-mode", type=str, default="auto", choices=["auto", "slow", "mistral", "custom"])
    a("--served-model-name", type=str, default=None)
    a("--lora-modules", nargs="+", default=None)
    a("--ramp-up-strategy", type=str, default=None, choices=["linear", "exponential"])
    a("--ramp-up-start-rps", type=int, default=None)
    a("--ramp-up-end-rps", type=int, default=None)
    a("--ready-check-timeout-sec", type=int, default=600)
    return p


def _normalize(argv):
    # vLLM's FlexibleArgumentParser takes --foo_bar as --foo-bar.
    out = []
    for t in argv:
        if t.startswith("--") and "_" in t.split("=", 1)[0]:
            head, eq, tail = t.partition("=")
            t = head.replace("_", "-") + eq + tail
        out.append(t)
    return out


def _log(msg):
    print("INFO %s [serve.py:%d] %s" % (datetime.datetime.now().strftime("%m-%d %H:%M:%S"), 1000 + len(msg) % 300, msg))


class BenchError(Exception):
    pass


def _requests(args):
    """What 0.11's dataset samplers would send: per-request input and output token counts, and the
    leading tokens every prompt shares (prefix_repetition), so the result records the dataset."""
    if args.dataset_name == "random":
        # RandomDataset.get_sampling_params: integer-uniform lengths around the means.
        r = args.random_range_ratio
        if not 0.0 <= r < 1.0:
            raise BenchError("ValueError: range_ratio must be in [0, 1).")
        in_low, in_high = math.floor(args.random_input_len * (1 - r)), math.ceil(args.random_input_len * (1 + r))
        out_low, out_high = max(1, math.floor(args.random_output_len * (1 - r))), math.ceil(args.random_output_len * (1 + r))
        rng = random.Random(args.seed)
        n = args.num_prompts
        inputs = [args.random_prefix_len + rng.randint(in_low, in_high) for _ in range(n)]
        outputs = [rng.randint(out_low, out_high) for _ in range(n)]
        return inputs, outputs, 0
    if args.dataset_name == "prefix_repetition":
        # PrefixRepetitionRandomDataset.sample: num_prefixes x (num_prompts // num_prefixes) requests.
        per_prefix = args.num_prompts // args.prefix_repetition_num_prefixes
        if per_prefix == 0:
            raise BenchError("ValueError: num_requests (%d) must be greater than or equal to num_prefixes (%d)"
                             % (args.num_prompts, args.prefix_repetition_num_prefixes))
        n = per_prefix * args.prefix_repetition_num_prefixes
        isl = args.prefix_repetition_prefix_len + args.prefix_repetition_suffix_len
        shared = args.prefix_repetition_prefix_len if args.prefix_repetition_num_prefixes == 1 else 0
        return [isl] * n, [args.prefix_repetition_output_len] * n, shared
    raise BenchError("pdflow simulator: dataset %r is not emulated (use random or prefix_repetition)" % args.dataset_name)


def _http(url, body=None, timeout=30.0, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})},
                                 method="POST" if body is not None else "GET")
    return urllib.request.urlopen(req, timeout=timeout)


def _test_request(api_url, model_name, isl, osl, ignore_eos, chat, headers):
    """One streaming request like vLLM's initial test run; returns (ok, error text)."""
    prompt = " ".join(["hi"] * max(1, isl))
    body = {"model": model_name, "max_tokens": osl, "stream": True, "ignore_eos": ignore_eos,
            "stream_options": {"include_usage": True}}
    if chat:
        body["messages"] = [{"role": "user", "content": prompt}]
    else:
        body["prompt"] = prompt
    try:
        with _http(api_url, body, timeout=6 * 3600, headers=headers) as resp:
            got = False
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("data:") and line[5:].strip() != "[DONE]":
                    got = True
            return (True, "") if got else (False, "Never received a valid chunk to calculate TTFT.")
    except urllib.error.HTTPError as e:
        return False, "%s %s: %s" % (e.code, e.reason, e.read().decode("utf-8", "replace")[:500])
    except (urllib.error.URLError, OSError) as e:
        return None, str(getattr(e, "reason", e))


def _wait_for_endpoint(api_url, model_name, isl, osl, args, factor, headers):
    print("Waiting for endpoint to become up in %d seconds" % args.ready_check_timeout_sec)
    deadline = time.time() + args.ready_check_timeout_sec * factor
    chat = args.backend == "openai-chat"
    while True:
        ok, err = _test_request(api_url, model_name, isl, osl, args.ignore_eos, chat, headers)
        if ok is True:
            return
        if ok is False:
            raise BenchError("ValueError: Initial test run failed - Please make sure benchmark arguments are correctly "
                             "specified. Error: %s" % err)
        if time.time() >= deadline:
            raise BenchError("TimeoutError: Endpoint %s did not become ready within %d seconds (last error: %s)"
                             % (api_url, args.ready_check_timeout_sec, err))
        time.sleep(min(5.0 * factor, max(0.0, deadline - time.time())) or 0.01)


def _deployment(base_url, model_id):
    """The deployment behind the endpoint, from what its emulated engines registered (vllm._sim.engines)."""
    from vllm._sim import engines

    dep = engines.deployment(model_id)
    if dep is None:
        raise BenchError("pdflow simulator: no emulated vLLM engine serves %s behind %s; the emulated `vllm bench serve` "
                         "models the deployment its engines describe" % (model_id, base_url))
    return dep


def _progress(total, seconds, disable):
    """tqdm-shaped progress on stderr while the modelled run takes `seconds` of wall time."""
    start = time.time()
    steps = max(1, min(total, 20))
    for k in range(1, steps + 1):
        target = start + seconds * k / steps
        time.sleep(max(0.0, target - time.time()))
        if disable:
            continue
        done = total * k // steps
        el = time.time() - start
        rate = done / el if el > 0 else 0.0
        bar = "#" * (10 * done // total) + " " * (10 - 10 * done // total)
        sys.stderr.write("\r%3d%%|%s| %d/%d [%02d:%02d<00:00, %.2fit/s]" % (100 * done // total, bar, done, total,
                                                                            el // 60, el % 60, rate))
        sys.stderr.flush()
    if not disable:
        sys.stderr.write("\n")


def _fmt(label, value, spec):
    return "{:<40} {:{}}".format(label, value, spec)


def _summary(res, args, metrics, percentiles):
    lines = ["{s:{c}^{n}}".format(s=" Serving Benchmark Result ", n=50, c="=")]
    lines.append(_fmt("Successful requests:", res["completed"], "<10"))
    if args.max_concurrency is not None:
        lines.append(_fmt("Maximum request concurrency:", args.max_concurrency, "<10"))
    if args.request_rate != float("inf"):
        lines.append(_fmt("Request rate configured (RPS):", args.request_rate, "<10.2f"))
    lines.append(_fmt("Benchmark duration (s):", res["duration"], "<10.2f"))
    lines.append(_fmt("Total input tokens:", res["total_input_tokens"], "<10"))
    lines.append(_fmt("Total generated tokens:", res["total_output_tokens"], "<10"))
    lines.append(_fmt("Request throughput (req/s):", res["request_throughput"], "<10.2f"))
    if args.goodput:
        lines.append(_fmt("Request goodput (req/s):", res["request_goodput"] or 0.0, "<10.2f"))
    lines.append(_fmt("Output token throughput (tok/s):", res["output_throughput"], "<10.2f"))
    lines.append(_fmt("Peak output token throughput (tok/s):", res["max_output_tokens_per_s"], "<10.2f"))
    lines.append(_fmt("Peak concurrent requests:", float(res["max_concurrent_requests"]), "<10.2f"))
    lines.append(_fmt("Total Token throughput (tok/s):", res["total_token_throughput"], "<10.2f"))
    heads = {"ttft": ("TTFT", "Time to First Token"), "tpot": ("TPOT", "Time per Output Token (excl. 1st token)"),
             "itl": ("ITL", "Inter-token Latency"), "e2el": ("E2EL", "End-to-end Latency")}
    for m in ("ttft", "tpot", "itl", "e2el"):
        if m not in metrics:
            continue
        name, header = heads[m]
        lines.append("{s:{c}^{n}}".format(s=header, n=50, c="-"))
        lines.append(_fmt("Mean %s (ms):" % name, res["mean_%s_ms" % m], "<10.2f"))
        lines.append(_fmt("Median %s (ms):" % name, res["median_%s_ms" % m], "<10.2f"))
        for p in percentiles:
            w = perf_model._p_word(p)
            lines.append(_fmt("P%s %s (ms):" % (w, name), res["p%s_%s_ms" % (w, m)], "<10.2f"))
    lines.append("=" * 50)
    return "\n".join(lines)


def run(args):
    factor = simnode.begin("vllm")
    print("INFO %s [__init__.py:216] Automatically detected platform cuda." % datetime.datetime.now().strftime("%m-%d %H:%M:%S"))
    print(args)
    if args.base_url is not None:
        base_url = args.base_url.rstrip("/")
    else:
        base_url = "http://%s:%d" % (args.host, args.port)
    api_url = base_url + args.endpoint
    headers = dict(h.split("=", 1) for h in (args.header or []) if "=" in h)
    model_id = args.model
    model_name = args.served_model_name or model_id
    tokenizer_id = args.tokenizer or model_id
    inputs, outputs, shared_prefix = _requests(args)
    num_requests = len(inputs)
    isl = max(1, round(sum(inputs) / num_requests))
    osl = max(1, round(sum(outputs) / num_requests))
    if args.max_concurrency is not None and args.max_concurrency <= 0:
        raise BenchError("ValueError: --max-concurrency must be greater than 0")
    metrics = [m.strip() for m in args.percentile_metrics.split(",") if m.strip()]
    for m in metrics:
        if m not in ("ttft", "tpot", "itl", "e2el"):
            raise BenchError("ValueError: unknown percentile metric %r (choose from ttft, tpot, itl, e2el)" % m)
    percentiles = [float(p) for p in args.metric_percentiles.split(",") if p.strip()]

    print("Starting initial single prompt test run...")
    _wait_for_endpoint(api_url, model_name, isl, osl, args, factor, headers)
    print("Initial test run completed. Starting main benchmark run...")
    deployment = _deployment(base_url, model_name)

    print("Traffic request rate: %s" % ("inf" if args.request_rate == float("inf") else args.request_rate))
    print("Burstiness factor: %s (%s)" % (args.burstiness, "Poisson process" if args.burstiness == 1.0 else "Gamma distribution"))
    print("Maximum request concurrency: %s" % args.max_concurrency)
    rate = None if math.isinf(args.request_rate) else args.request_rate
    res = perf_model.simulate_bench(deployment, isl, osl, num_requests, args.max_concurrency, rate, args.burstiness,
                                    args.seed, tuple(metrics), tuple(percentiles), cached_prefix=shared_prefix)
    # The model runs mean lengths; the totals are what the sampled requests asked for.
    res["total_input_tokens"] = sum(inputs)
    res["total_output_tokens"] = sum(outputs)
    res["output_throughput"] = res["total_output_tokens"] / res["duration"]
    res["total_token_throughput"] = (res["total_input_tokens"] + res["total_output_tokens"]) / res["duration"]
    # The engines look busy to the emulated nvidia-smi, and KV bytes reach the EFA counters, while the run lasts.
    from pdflow_sim import gpu_load
    from vllm._sim import engines as sim_engines

    load = gpu_load.start(sim_engines.live(model_name), deployment, res, res["duration"] * factor)
    _progress(num_requests, res["duration"] * factor, args.disable_tqdm)
    load.finish()
    print("tip: install termplotlib and gnuplot to plot the metrics")
    print(_summary(res, args, metrics, percentiles))

    current_dt = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    result_json = {
        "date": current_dt,
        "endpoint_type": args.backend,
        "backend": args.backend,
        "label": args.label,
        "model_id": model_id,
        "tokenizer_id": tokenizer_id,
        "num_prompts": args.num_prompts,
    }
    for item in args.metadata or []:
        if "=" not in item:
            raise BenchError("ValueError: Invalid metadata format. Please use KEY=VALUE format.")
        k, v = item.split("=", 1)
        result_json[k.strip()] = v.strip()
    result_json["request_rate"] = args.request_rate if args.request_rate < float("inf") else "inf"
    result_json["burstiness"] = args.burstiness
    result_json["max_concurrency"] = args.max_concurrency
    result_json.update(res)
    if args.save_result or args.append_result:
        base_model_id = model_id.split("/")[-1]
        conc = "-concurrency%d" % args.max_concurrency if args.max_concurrency is not None else ""
        file_name = args.result_filename or "%s-%sqps%s-%s-%s.json" % (args.label or args.backend, args.request_rate, conc,
                                                                       base_model_id, current_dt)
        if args.result_dir:
            os.makedirs(args.result_dir, exist_ok=True)
            file_name = os.path.join(args.result_dir, file_name)
        with open(file_name, "a+" if args.append_result else "w", encoding="utf-8") as f:
            if args.append_result and f.tell() != 0:
                f.write("\n")
            json.dump(result_json, f)
    return 0


def main(argv):
    parser = _parser()
    args = parser.parse_args(_normalize(argv))
    if args.dataset_name == "random" and args.dataset_path is not None:
        # 0.11's _ValidateDatasetArgs: a parse error (exit 2), before anything runs.
        parser.error("Cannot use 'random' dataset with --dataset-path. Please specify the appropriate --dataset-name "
                     "(e.g., 'sharegpt', 'custom', 'sonnet') for your dataset file: %s" % args.dataset_path)
    try:
        return run(args)
    except BenchError as e:
        sys.stdout.flush()
        sys.stderr.write("Traceback (most recent call last):\n  File \"vllm/benchmarks/serve.py\", in main\n%s\n" % e)
        return 1
    except KeyboardInterrupt:
        return 130
