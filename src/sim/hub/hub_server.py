"""An emulated Hugging Face Hub for the simulated nodes (HF_ENDPOINT): the routes the real
huggingface_hub 0.36 client calls to list a model and download its files, nothing else.

  GET  /api/models/{repo}[/revision/{rev}][?blobs=True]   model_info / repo_info (siblings, sha)
  POST /api/models/{repo}/paths-info/{rev}                 get_paths_info (form field "paths")
  GET  /api/models/{repo}/tree/{rev}[/{path}]              list_repo_tree (snapshot_download's fallback)
  HEAD|GET /{repo}/resolve/{rev}/{path}                    hf_hub_download: X-Repo-Commit, ETag,
       small files answer directly; LFS files (*.safetensors, *.bin) redirect to /lfs/{sha256} with
       X-Linked-Etag and X-Linked-Size, as the real hub redirects to its CDN
  GET  /lfs/{sha256}                                       the LFS content

The weights need a GPU node's disk, so they are emulated: each file has tiny content, but
model_info declares the real model's sizes (the provision disk check reads those). The layout is
the real repos': root safetensors shards, original/ and metal/ copies, config and tokenizer files.
The root config and tokenizer files are real ones the real transformers loads (model_files.py).
Every request is appended to <dir>/requests.log ("METHOD path"), for tests. An LFS download takes
as long as the declared size would at 50 MB/s per stream (the client runs 8 streams: ~400 MB/s a
node), times the cluster's time scale, so a first provision weighs what it does on real nodes.

Usage: hub_server.py --host ADDR --dir DIR [--time-scale F]   (picks a free port; writes DIR/port)
"""
import argparse
import hashlib
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import model_files  # next to this script (the script's folder is on sys.path)

GB = 1_000_000_000


def _shards(prefix, count, total):
    width = 5
    return [("%s-%0*d-of-%0*d.safetensors" % (prefix, width, i, width, count - 1), total // count) for i in range(count)]


def gpt_oss_layout(repo, shards, weights_bytes, original_shards):
    """Files and declared sizes of openai/gpt-oss-{120b,20b} (three copies of the weights)."""
    files = [
        (".gitattributes", 1_570), ("LICENSE", 11_357), ("README.md", 7_086), ("USAGE_POLICY", 200),
        ("chat_template.jinja", 16_738), ("config.json", 1_806), ("generation_config.json", 177),
        ("model.safetensors.index.json", 55_000), ("special_tokens_map.json", 98),
        ("tokenizer.json", 27_868_174), ("tokenizer_config.json", 4_200),
    ]
    files += _shards("model", shards, weights_bytes)
    files += [("original/config.json", 376), ("original/dtypes.json", 13_000)]
    if original_shards == 1:
        files.append(("original/model.safetensors", weights_bytes))
    else:
        files += [("original/model--%05d-of-%05d.safetensors" % (i + 1, original_shards), weights_bytes // original_shards)
                  for i in range(original_shards)]
    files.append(("metal/model.bin", weights_bytes))
    return files


def generic_layout(repo):
    return [("README.md", 2_000), ("config.json", 700), ("generation_config.json", 150),
            ("model.safetensors.index.json", 20_000), ("special_tokens_map.json", 400),
            ("tokenizer.json", 9_000_000), ("tokenizer_config.json", 50_000)] + _shards("model", 2, 4 * GB)


LAYOUTS = {
    "openai/gpt-oss-120b": lambda r: gpt_oss_layout(r, 15, 65_248_815_744, 7),
    "openai/gpt-oss-20b": lambda r: gpt_oss_layout(r, 3, 13_761_264_768, 1),
}
LFS = re.compile(r"\.(safetensors|bin|pt|gguf)$")


def content_of(repo, path):
    """Tiny file contents: the real loadable config and tokenizer files (model_files.py), valid JSON
    where a loader may parse it, a marker line otherwise."""
    real = model_files.content_of(repo, path)
    if real is not None:
        return real
    if path.endswith(".json"):
        return json.dumps({"pdflow_sim": "%s/%s" % (repo, path)}).encode()
    return ("pdflow sim hub: placeholder for %s/%s\n" % (repo, path)).encode()


class Repo:
    def __init__(self, repo_id):
        self.id = repo_id
        self.sha = hashlib.sha1(("pdflow-sim-hub:" + repo_id).encode()).hexdigest()
        layout = LAYOUTS.get(repo_id, generic_layout)(repo_id)
        self.files = {}
        for path, declared in layout:
            body = content_of(repo_id, path)
            lfs = bool(LFS.search(path))
            self.files[path] = {
                "path": path, "declared": declared, "body": body, "lfs": lfs,
                "blob": hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest(),
                "sha256": hashlib.sha256(body).hexdigest(),
            }

    def sibling(self, f, blobs):
        s = {"rfilename": f["path"]}
        if blobs:
            s.update({"size": f["declared"], "blobId": f["blob"]})
            if f["lfs"]:
                s["lfs"] = {"size": f["declared"], "sha256": f["sha256"], "pointerSize": 135}
        return s

    def tree_entry(self, f):
        e = {"type": "file", "oid": f["blob"], "size": f["declared"], "path": f["path"]}
        if f["lfs"]:
            e["lfs"] = {"oid": f["sha256"], "size": f["declared"], "pointerSize": 135}
        return e


REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_repos = {}
_lock = threading.Lock()


def repo_of(repo_id):
    if not REPO_ID.match(repo_id):
        return None
    with _lock:
        if repo_id not in _repos:
            _repos[repo_id] = Repo(repo_id)
        return _repos[repo_id]


STREAM_BYTES_PER_S = 50e6


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pdflow-sim-hub"
    log_path = None
    time_scale = 1.0

    def log_message(self, fmt, *args):  # quiet: requests.log has what tests need
        pass

    def _record(self):
        with _lock, open(self.log_path, "a") as f:
            f.write("%s %s\n" % (self.command, urlparse(self.path).path))

    def _send(self, status, body=b"", headers=None, content_type="application/json"):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_lfs(self, f):
        """The body trickles out over the time the declared size would take (the client's read
        timeout is per read, so the stream must keep moving)."""
        body = f["body"]
        self.send_response(200)
        self.send_header("ETag", '"%s"' % f["sha256"])
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        gap = f["declared"] / STREAM_BYTES_PER_S * self.time_scale / max(1, len(body))
        for i in range(len(body)):
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            time.sleep(gap)

    def _json(self, value, headers=None):
        self._send(200, json.dumps(value).encode(), headers)

    def _error(self, status, code, message, headers=None):
        h = {"X-Error-Code": code, "X-Error-Message": message}
        h.update(headers or {})
        self._send(status, json.dumps({"error": message}).encode(), h)

    def _revision_ok(self, repo, rev):
        return rev in ("main", repo.sha)

    def do_HEAD(self):
        self._record()
        self._route()

    def do_GET(self):
        self._record()
        self._route()

    def do_POST(self):
        self._record()
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode()) if length else {}
        m = re.match(r"^/api/models/([^/]+/[^/]+)/paths-info/([^/]+)$", urlparse(self.path).path)
        if not m:
            return self._error(404, "NotFound", "no such route: POST %s" % self.path)
        repo = repo_of(unquote(m.group(1)))
        if repo is None:
            return self._error(401, "RepoNotFound", "Repository Not Found for url: %s." % self.path)
        if not self._revision_ok(repo, unquote(m.group(2))):
            return self._error(404, "RevisionNotFound", "Invalid rev id: %s" % m.group(2))
        paths = form.get("paths", [])
        self._json([repo.tree_entry(repo.files[p]) for p in paths if p in repo.files])

    def _route(self):
        url = urlparse(self.path)
        path = url.path
        query = parse_qs(url.query)
        m = re.match(r"^/api/models/([^/]+/[^/]+?)(?:/revision/([^/]+))?$", path)
        if m:
            repo = repo_of(unquote(m.group(1)))
            if repo is None or repo.id not in (unquote(m.group(1)),):
                return self._error(401, "RepoNotFound", "Repository Not Found for url: %s." % self.path)
            rev = unquote(m.group(2) or "main")
            if not self._revision_ok(repo, rev):
                return self._error(404, "RevisionNotFound", "Invalid rev id: %s" % rev)
            blobs = query.get("blobs", ["false"])[0].lower() == "true"
            return self._json({
                "_id": repo.sha[:24], "id": repo.id, "modelId": repo.id, "author": repo.id.split("/")[0],
                "sha": repo.sha, "lastModified": "2025-08-26T17:00:00.000Z", "createdAt": "2025-08-04T00:00:00.000Z",
                "private": False, "gated": False, "disabled": False, "downloads": 0, "likes": 0,
                "library_name": "transformers", "tags": ["transformers", "safetensors"], "pipeline_tag": "text-generation",
                "siblings": [repo.sibling(f, blobs) for f in repo.files.values()],
                "usedStorage": sum(f["declared"] for f in repo.files.values()),
            })
        m = re.match(r"^/api/models/([^/]+/[^/]+)/tree/([^/]+)(?:/(.*))?$", path)
        if m:
            repo = repo_of(unquote(m.group(1)))
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository Not Found for url: %s." % self.path)
            if not self._revision_ok(repo, unquote(m.group(2))):
                return self._error(404, "RevisionNotFound", "Invalid rev id: %s" % m.group(2))
            prefix = unquote(m.group(3) or "").strip("/")
            entries = [repo.tree_entry(f) for p, f in repo.files.items() if not prefix or p.startswith(prefix + "/")]
            if query.get("recursive", ["false"])[0].lower() != "true":
                depth = prefix.count("/") + (1 if prefix else 0)
                folders = sorted({e["path"].split("/")[depth] for e in entries if e["path"].count("/") > depth})
                entries = [e for e in entries if e["path"].count("/") == depth]
                entries += [{"type": "directory", "oid": repo.sha, "size": 0, "path": "/".join(filter(None, [prefix, d]))} for d in folders]
            return self._json(entries)
        m = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
        if m:
            return self._resolve(unquote(m.group(1)), unquote(m.group(2)), unquote(m.group(3)))
        m = re.match(r"^/lfs/([0-9a-f]{64})$", path)
        if m:
            for repo in list(_repos.values()):
                for f in repo.files.values():
                    if f["sha256"] == m.group(1):
                        return self._send_lfs(f)
            return self._error(404, "EntryNotFound", "no LFS object %s" % m.group(1))
        return self._error(404, "NotFound", "no such route: %s %s" % (self.command, path))

    def _resolve(self, repo_id, rev, file_path):
        repo = repo_of(repo_id)
        if repo is None:
            return self._error(401, "RepoNotFound", "Repository Not Found for url: %s." % self.path)
        if not self._revision_ok(repo, rev):
            return self._error(404, "RevisionNotFound", "Invalid rev id: %s" % rev)
        f = repo.files.get(file_path)
        if f is None:
            return self._error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": repo.sha})
        if f["lfs"]:
            # The real hub redirects LFS files to its CDN; the client reads the linked ETag and size.
            host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
            return self._send(302, b"", {
                "Location": "http://%s/lfs/%s" % (host, f["sha256"]),
                "X-Repo-Commit": repo.sha, "ETag": '"%s"' % f["blob"],
                "X-Linked-Etag": '"%s"' % f["sha256"], "X-Linked-Size": str(len(f["body"])),
            })
        return self._send(200, f["body"], {"X-Repo-Commit": repo.sha, "ETag": '"%s"' % f["blob"], "Accept-Ranges": "bytes"},
                          "application/json" if file_path.endswith(".json") else "text/plain; charset=utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--time-scale", type=float, default=1.0)
    a = ap.parse_args()
    Handler.time_scale = a.time_scale
    os.makedirs(a.dir, exist_ok=True)
    Handler.log_path = os.path.join(a.dir, "requests.log")
    server = ThreadingHTTPServer((a.host, 0), Handler)
    server.daemon_threads = True
    tmp = os.path.join(a.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, os.path.join(a.dir, "port"))
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
