import hashlib
import json
import os
import re
import shutil
import sys
import time

from . import _sim, constants
from .errors import EntryNotFoundError, HFValidationError, LocalEntryNotFoundError

REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
# Real sizes, so the emulated download takes a believable (scaled) time: bytes, shard count.
KNOWN = {
    "openai/gpt-oss-120b": (65_248_815_744, 15),
    "openai/gpt-oss-20b": (13_761_264_768, 3),
}
BANDWIDTH = 400e6  # bytes/s from the hub at time scale 1


def _validate(repo_id):
    if not isinstance(repo_id, str) or not REPO_ID.match(repo_id) or "--" in repo_id or ".." in repo_id:
        raise HFValidationError(
            "Repo id must use alphanumeric chars or '-', '_', '.', '--' and '..' are forbidden, "
            "'-' and '.' cannot start or end the name, max length is 96: '%s'." % (repo_id,))


def _repo_folder(cache_dir, repo_id, repo_type):
    kind = (repo_type or "model") + "s"
    return os.path.join(cache_dir, "%s--%s" % (kind, repo_id.replace("/", "--")))


def _commit(repo_id, revision):
    return hashlib.sha1(("%s@%s" % (repo_id, revision or "main")).encode()).hexdigest()


def _files(repo_id):
    size, shards = KNOWN.get(repo_id, (2_000_000_000, 2))
    names = ["model-%05d-of-%05d.safetensors" % (i, shards - 1) for i in range(shards)]
    config = {"architectures": ["GptOssForCausalLM"] if "gpt-oss" in repo_id else ["LlamaForCausalLM"],
              "model_type": "gpt_oss" if "gpt-oss" in repo_id else "llama",
              "num_hidden_layers": 36, "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64,
              "hidden_size": 2880, "max_position_embeddings": 131072}
    index = {"metadata": {"total_size": size}, "weight_map": {"model.embed_tokens.weight": names[0]}}
    files = {
        "config.json": json.dumps(config, indent=2),
        "generation_config.json": json.dumps({"bos_token_id": 199998, "eos_token_id": [200002, 199999]}),
        "tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "BPE"}}),
        "tokenizer_config.json": json.dumps({"model_max_length": 131072}),
        "model.safetensors.index.json": json.dumps(index),
        "README.md": "# %s\n\nPlaceholder weights written by the pdflow simulator.\n" % repo_id,
    }
    for n in names:
        files[n] = "pdflow-sim placeholder shard of %s (%d bytes in the real model)\n" % (repo_id, size // shards)
    return files, size


def _cached(folder, revision):
    ref = os.path.join(folder, "refs", revision or "main")
    commit = None
    if os.path.isfile(ref):
        with open(ref) as f:
            commit = f.read().strip()
    elif revision and re.fullmatch(r"[0-9a-f]{40}", revision):
        commit = revision
    if commit:
        snap = os.path.join(folder, "snapshots", commit)
        if os.path.isdir(snap):
            return snap
    return None


def snapshot_download(repo_id, *, repo_type=None, revision=None, cache_dir=None, local_dir=None,
                      local_files_only=False, allow_patterns=None, ignore_patterns=None, token=None,
                      max_workers=8, tqdm_class=None, **_kw):
    _validate(repo_id)
    cache_dir = os.path.expanduser(cache_dir or constants.HF_HUB_CACHE)
    folder = _repo_folder(cache_dir, repo_id, repo_type)
    snap = _cached(folder, revision)
    if snap and local_dir is None:
        return snap
    if local_files_only or constants.HF_HUB_OFFLINE:
        raise LocalEntryNotFoundError(
            "Cannot find an appropriate cached snapshot folder for the specified revision on the local disk and "
            "outgoing traffic has been disabled. To enable repo look-ups and downloads online, pass "
            "'local_files_only=False' as input.")
    scale = _sim.begin("hf-download")
    files, size = _files(repo_id)
    commit = _commit(repo_id, revision)
    total = size / BANDWIDTH * scale
    n = len(files)
    start = time.time()
    for i in range(1, n + 1):
        time.sleep(total / n)
        el = int(time.time() - start)
        sys.stderr.write("Fetching %d files: %3d%%|%s| %d/%d [%02d:%02d<00:00]\n"
                         % (n, 100 * i // n, "#" * (10 * i // n) + " " * (10 - 10 * i // n), i, n, el // 60, el % 60))
        sys.stderr.flush()
    tmp = os.path.join(folder, "snapshots", ".%s.incomplete-%d" % (commit, os.getpid()))
    os.makedirs(tmp, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    target = os.path.join(folder, "snapshots", commit)
    if os.path.isdir(target):
        shutil.rmtree(tmp)
    else:
        os.replace(tmp, target)
    os.makedirs(os.path.join(folder, "refs"), exist_ok=True)
    with open(os.path.join(folder, "refs", revision or "main"), "w") as f:
        f.write(commit)
    if local_dir is not None:
        shutil.copytree(target, local_dir, dirs_exist_ok=True)
        return str(local_dir)
    return target


def hf_hub_download(repo_id, filename, *, subfolder=None, repo_type=None, revision=None, cache_dir=None,
                    local_dir=None, local_files_only=False, token=None, **_kw):
    snap = snapshot_download(repo_id, repo_type=repo_type, revision=revision, cache_dir=cache_dir,
                             local_dir=local_dir, local_files_only=local_files_only, token=token)
    path = os.path.join(snap, subfolder or "", filename)
    if not os.path.exists(path):
        raise EntryNotFoundError("404 Client Error. Entry Not Found for url: https://huggingface.co/%s/resolve/%s/%s"
                                 % (repo_id, revision or "main", filename))
    return path


def try_to_load_from_cache(repo_id, filename, cache_dir=None, revision=None, repo_type=None):
    folder = _repo_folder(os.path.expanduser(cache_dir or constants.HF_HUB_CACHE), repo_id, repo_type)
    snap = _cached(folder, revision)
    if snap and os.path.isfile(os.path.join(snap, filename)):
        return os.path.join(snap, filename)
    return None


def scan_cache_dir(cache_dir=None):
    """Names of the cached repos (the real one returns an HFCacheInfo object)."""
    cache_dir = os.path.expanduser(cache_dir or constants.HF_HUB_CACHE)
    if not os.path.isdir(cache_dir):
        return []
    return sorted(d.split("--", 1)[1].replace("--", "/") for d in os.listdir(cache_dir) if "--" in d)
