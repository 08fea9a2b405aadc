"""Run with a simulated node's venv python (test/integration/remote-serve.test.ts): which transformers
is installed (its RECORD against the real wheel's), the model's config and tokenizer through it
(from the HF cache), and per prompt the tokenizer's tokens and ids next to the prompt_tokens that
the deployed engine reports for a completion of it. Prints one JSON line.

  real_transformers_probe.py --model REPO --url http://HEAD:PORT --served NAME --wheel WHL PROMPT...
"""
import argparse
import importlib.metadata as md
import json
import urllib.request
import zipfile

import tokenizers
import transformers
from transformers import AutoConfig, AutoTokenizer


def installed_record_matches(wheel):
    """Every file the wheel's RECORD lists (path and hash) is in the RECORD pip wrote on install
    (which adds only its own entries: INSTALLER, REQUESTED, console scripts)."""
    dist = md.distribution("transformers")
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        rows = [line.split(",") for line in z.read(name).decode().splitlines() if line]
    in_wheel = {row[0]: row[1] for row in rows if row[1]}
    installed = {str(f): f.hash.mode + "=" + f.hash.value for f in dist.files if f.hash}
    return len(in_wheel) > 1000 and all(installed.get(path) == h for path, h in in_wheel.items())


def engine_prompt_tokens(url, served, prompt):
    body = {"model": served, "prompt": prompt, "max_tokens": 1, "stream": False}
    req = urllib.request.Request(url.rstrip("/") + "/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.load(resp)["usage"]["prompt_tokens"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--served", required=True)
    ap.add_argument("--wheel", required=True)
    ap.add_argument("prompts", nargs="+")
    a = ap.parse_args()
    tok = AutoTokenizer.from_pretrained(a.model)
    print(json.dumps({
        "version": transformers.__version__, "file": transformers.__file__,
        "generator": md.distribution("transformers").read_text("WHEEL") or "",
        "recordMatchesWheel": installed_record_matches(a.wheel), "tokenizers": tokenizers.__version__,
        "configClass": type(AutoConfig.from_pretrained(a.model)).__name__, "tokenizerClass": type(tok).__name__,
        "prompts": [{"text": p, "tokens": tok.tokenize(p), "ids": tok.encode(p),
                     "engine": engine_prompt_tokens(a.url, a.served, p)} for p in a.prompts],
    }))


if __name__ == "__main__":
    main()
