#!/usr/bin/env python3
"""One (or --count) streaming completion against an OpenAI-compatible endpoint; measures TTFT
(request sent -> first non-empty text chunk) and TPOT ((last chunk - first chunk) / (tokens - 1)).

  smoke_query.py --url http://HEAD:8000 --model gptoss [--prompt TEXT] [--max-tokens 64]
                 [--count 1] [--timeout 300]

Uses only the standard library (runs with any python3 on the node). Prints the streamed text and
the timings, then ONE JSON line:
  {"ok", "url", "model", "ttftMs", "tpotMs", "tokens", "text", "seconds", "queries": [{"ttftMs",
   "tpotMs", "tokens", "seconds", "error"}], "error"}
With --count > 1, ttftMs/tpotMs are the medians and text/tokens those of the last query.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request


def one_query(url, model, prompt, max_tokens, timeout):
    body = {"model": model, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0.0, "stream": True,
            "stream_options": {"include_usage": True}}
    req = urllib.request.Request(url.rstrip("/") + "/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Accept": "text/event-stream"}, method="POST")
    res = {"ttftMs": None, "tpotMs": None, "tokens": 0, "seconds": None, "error": None, "text": ""}
    t0 = time.perf_counter()
    first = last = None
    chunks = 0
    usage_tokens = None
    parts = []
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                msg = json.loads(payload)
                if msg.get("usage"):
                    usage_tokens = msg["usage"].get("completion_tokens")
                for choice in msg.get("choices") or []:
                    text = choice.get("text") or ""
                    if text:
                        now = time.perf_counter()
                        first = first if first is not None else now
                        last = now
                        chunks += 1
                        parts.append(text)
                        sys.stdout.write(text)
                        sys.stdout.flush()
    except urllib.error.HTTPError as e:
        res["error"] = "HTTP %d from %s: %s" % (e.code, e.url, e.read().decode("utf-8", "replace")[:500])
    except (urllib.error.URLError, OSError, ValueError) as e:
        res["error"] = "%s: %s" % (type(e).__name__, getattr(e, "reason", None) or e)
    end = time.perf_counter()
    sys.stdout.write("\n")
    res["seconds"] = round(end - t0, 4)
    res["text"] = "".join(parts)
    res["tokens"] = usage_tokens if usage_tokens is not None else chunks
    if first is not None:
        res["ttftMs"] = round((first - t0) * 1000, 3)
        if res["tokens"] > 1 and last > first:
            res["tpotMs"] = round((last - first) * 1000 / (res["tokens"] - 1), 3)
    elif res["error"] is None:
        res["error"] = "the stream ended without any text"
    return res


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else round((xs[mid - 1] + xs[mid]) / 2, 3)


def main(argv=None):
    p = argparse.ArgumentParser(description="Streaming completion smoke test (TTFT, TPOT).")
    p.add_argument("--url", required=True, help="base URL, e.g. http://10.0.0.10:8000")
    p.add_argument("--model", required=True, help="served model name, e.g. gptoss")
    p.add_argument("--prompt", default="The capital of France is")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=float, default=300.0)
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    if not a.url.startswith(("http://", "https://")):
        p.error("--url %r: give a base URL such as http://10.0.0.10:8000" % a.url)
    if a.max_tokens < 1 or a.count < 1:
        p.error("--max-tokens and --count must be >= 1")
    print("::phase query", flush=True)
    print("POST %s/v1/completions model=%s max_tokens=%d stream=true" % (a.url.rstrip("/"), a.model, a.max_tokens), flush=True)
    queries = [one_query(a.url, a.model, a.prompt, a.max_tokens, a.timeout) for _ in range(a.count)]
    last = queries[-1]
    errors = [q["error"] for q in queries if q["error"]]
    out = {"ok": not errors, "url": a.url, "model": a.model, "ttftMs": median(q["ttftMs"] for q in queries),
           "tpotMs": median(q["tpotMs"] for q in queries), "tokens": last["tokens"], "text": last["text"],
           "seconds": round(sum(q["seconds"] for q in queries), 4),
           "queries": [{k: q[k] for k in ("ttftMs", "tpotMs", "tokens", "seconds", "error")} for q in queries],
           "error": errors[0] if errors else None}
    print("TTFT %s ms, TPOT %s ms, %d tokens%s" % (out["ttftMs"], out["tpotMs"], out["tokens"],
                                                  "" if out["ok"] else " -- " + out["error"]), flush=True)
    print(json.dumps(out), flush=True)
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
