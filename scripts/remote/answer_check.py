#!/usr/bin/env python3
"""The deployment answers a fixed set of prompts greedily; pdflow compares the answers with those of
a collocated reference (no KV transfer) to catch deployments whose KV transfers corrupt output.

  answer_check.py --url http://HEAD:8000 --model gptoss [--prompts FILE] [--count 32]
                  [--max-tokens 16] [--parallel 8] [--timeout 300]

Each prompt is one non-streaming /v1/completions request: temperature 0, seed 0, logprobs 1 (so
the response lists the generated tokens; without them the text is the one token). Uses only the
standard library. Prints a line per prompt, then ONE JSON line:
  {"ok", "maxTokens", "answers": [{"tokens": [str], "text", "error"}], "versions": {pkg: version},
   "seconds", "error"}
"ok" is false only when no prompt got an answer (the comparison judges the rest).
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def installed_versions():
    """The versions of what decides the answers, from this Python's installed packages."""
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover (python < 3.8)
        return {}
    out = {}
    for pkg in ("vllm", "transformers", "torch", "nixl", "ray"):
        try:
            out[pkg] = metadata.version(pkg)
        except Exception:  # not installed here
            pass
    return out


def answer(url, model, prompt, max_tokens, timeout):
    body = {"model": model, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0.0, "top_p": 1.0,
            "seed": 0, "logprobs": 1, "stream": False}
    req = urllib.request.Request(url.rstrip("/") + "/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    out = {"tokens": None, "text": "", "error": None}
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            msg = json.loads(resp.read().decode("utf-8", "replace"))
        choice = (msg.get("choices") or [None])[0]
        if not isinstance(choice, dict):
            out["error"] = "the response has no choices"
            return out
        out["text"] = choice.get("text") or ""
        lp = choice.get("logprobs")
        if isinstance(lp, dict) and isinstance(lp.get("tokens"), list):
            out["tokens"] = [str(t) for t in lp["tokens"]]
    except urllib.error.HTTPError as e:
        out["error"] = "HTTP %d: %s" % (e.code, e.read().decode("utf-8", "replace")[:300])
    except (urllib.error.URLError, OSError, ValueError) as e:
        out["error"] = "%s: %s" % (type(e).__name__, getattr(e, "reason", None) or e)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description="Greedy answers to fixed prompts (output-correctness check).")
    p.add_argument("--url", required=True, help="base URL, e.g. http://10.0.0.10:8000")
    p.add_argument("--model", required=True, help="served model name, e.g. gptoss")
    p.add_argument("--prompts", default=os.path.join(HERE, "check_prompts.json"), help="JSON file with a \"prompts\" list")
    p.add_argument("--count", type=int, default=32, help="how many of the prompts to ask (from the first)")
    p.add_argument("--max-tokens", type=int, default=16)
    p.add_argument("--parallel", type=int, default=8)
    p.add_argument("--timeout", type=float, default=300.0)
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    if not a.url.startswith(("http://", "https://")):
        p.error("--url %r: give a base URL such as http://10.0.0.10:8000" % a.url)
    if a.max_tokens < 1 or a.count < 1 or a.parallel < 1:
        p.error("--max-tokens, --count and --parallel must be >= 1")
    with open(a.prompts, encoding="utf-8") as f:
        prompts = json.load(f)["prompts"][: a.count]
    if len(prompts) < a.count:
        p.error("--count %d: %s has only %d prompts" % (a.count, a.prompts, len(prompts)))
    print("::phase answers", flush=True)
    print("POST %s/v1/completions model=%s: %d prompts, greedy, max_tokens=%d" % (a.url.rstrip("/"), a.model, len(prompts), a.max_tokens), flush=True)
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.parallel) as pool:
        answers = list(pool.map(lambda q: answer(a.url, a.model, q, a.max_tokens, a.timeout), prompts))
    for i, ans in enumerate(answers):
        print("[%2d] %s" % (i, ans["error"] or json.dumps(ans["text"])[:120]), flush=True)
    answered = sum(1 for x in answers if x["error"] is None)
    errors = [x["error"] for x in answers if x["error"]]
    out = {"ok": answered > 0, "maxTokens": a.max_tokens, "answers": answers, "versions": installed_versions(),
           "seconds": round(time.perf_counter() - t0, 3), "error": None if answered else (errors[0] if errors else "no prompts")}
    print("%d/%d prompts answered" % (answered, len(prompts)), flush=True)
    print(json.dumps(out), flush=True)
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
