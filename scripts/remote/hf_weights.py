"""The model files this node needs, into the Hugging Face cache, after checking the disk.

A GPU node gets what vLLM loads: the root *.safetensors, *.json and the tokenizer files. A CPU head
gets the tokenizer and config only (vllm bench needs the tokenizer). Never original/ or metal/:
openai/gpt-oss-120b holds three copies of its weights (root, original/, metal/, ~65 GB each).
The size comes from the hub's file list (model_info with files_metadata), filtered by the same
patterns; files already in the cache do not count. Too little free space fails before anything
is downloaded, naming both numbers.

Usage: hf_weights.py REPO REVISION|'' full|tokenizer FREE_BYTES OUT_JSON   (HF_HOME from the env)
Exit 3: not enough disk (the message says how much is needed and free).
"""
import json
import os
import sys

from huggingface_hub import HfApi, snapshot_download, try_to_load_from_cache
from huggingface_hub.utils import filter_repo_objects

TOKENIZER = ["*.json", "*.jinja", "tokenizer*", "*.model", "*.tiktoken", "*.txt"]
PATTERNS = {"full": ["*.safetensors"] + TOKENIZER, "tokenizer": TOKENIZER}
# fnmatch's "*" also matches "/": files in any subfolder (original/, metal/, ...) are left out.
IGNORE = ["*/*"]
HEADROOM = 1_000_000_000  # logs, pip's cache, the .incomplete file of the largest shard


def gb(n):
    return "%.1f GB" % (n / 1e9)


def main(repo, revision, kind, free_bytes, out):
    allow = PATTERNS[kind]
    try:
        info = HfApi().model_info(repo, revision=revision or None, files_metadata=True)
    except Exception as err:  # offline or hub down: what the cache already holds may do
        print("could not list %s on the hub (%s); trying the local cache" % (repo, err), flush=True)
        path = snapshot_download(repo, revision=revision or None, allow_patterns=allow, ignore_patterns=IGNORE,
                                 local_files_only=True)
        return {"id": repo, "kind": kind, "path": path, "downloaded": False, "files": None, "bytes": None,
                "missingBytes": 0, "freeBytes": free_bytes, "patterns": allow}
    files = list(filter_repo_objects(info.siblings or [], allow_patterns=allow, ignore_patterns=IGNORE,
                                     key=lambda s: s.rfilename))
    total = sum(s.size or 0 for s in files)
    missing = [s for s in files
               if not isinstance(try_to_load_from_cache(repo, s.rfilename, revision=info.sha), str)]
    missing_bytes = sum(s.size or 0 for s in missing)
    print("%s@%s: %d files (%s) for a %s node, %s; %d not in the cache (%s); %s free"
          % (repo, info.sha[:12], len(files), ", ".join(allow), "GPU" if kind == "full" else "CPU",
             gb(total), len(missing), gb(missing_bytes), gb(free_bytes)), flush=True)
    if missing and missing_bytes + HEADROOM > free_bytes:
        msg = ("not enough disk for %s: %d files to download, %s (+ %s headroom), but HF_HOME %s has %s free; "
               "free space there or put the node's workdir on a larger disk (e.g. the instance store)"
               % (repo, len(missing), gb(missing_bytes), gb(HEADROOM), os.environ.get("HF_HOME", "?"), gb(free_bytes)))
        print(msg, file=sys.stderr, flush=True)
        with open(out, "w") as f:
            json.dump({"error": msg}, f)
        sys.exit(3)
    path = snapshot_download(repo, revision=revision or None, allow_patterns=allow, ignore_patterns=IGNORE)
    print("%s %s" % ("downloaded to" if missing else "already in the cache:", path), flush=True)
    return {"id": repo, "kind": kind, "revision": info.sha, "path": path, "downloaded": bool(missing),
            "files": len(files), "bytes": total, "missingBytes": missing_bytes, "freeBytes": free_bytes,
            "patterns": allow}


if __name__ == "__main__":
    repo_id, rev, node_kind, free, out_path = sys.argv[1:6]
    result = main(repo_id, rev, node_kind, int(free), out_path)
    with open(out_path, "w") as f:
        json.dump(result, f)
