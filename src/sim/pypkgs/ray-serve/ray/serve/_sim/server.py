"""The emulated Serve HTTP proxy + LLM replicas: one detached process per simulated cluster.

Answers /-/healthz, /-/routes, /v1/models, /v1/completions and /v1/chat/completions (streaming
or not) for the RUNNING applications in serve.json, with TTFT and TPOT from the pdflow
performance model for the deployment (times PDFLOW_SIM_TIME_SCALE), and /sim/deployment with
the deployment description `vllm bench serve` (emulated) models a benchmark from."""
import argparse
import hashlib
import json
import os
import random
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pdflow_sim import node as simnode
from pdflow_sim import perf_model

from . import state

WORDS = ("the model streams tokens from the decode engine while prefill runs on its own GPUs and the KV cache "
         "moves over the network between nodes as blocks of keys and values for every layer of the transformer "
         "so that each request sees a fast first token and a steady stream of output").split()
_inflight = {"n": 0}
_lock = threading.Lock()


def running_apps():
    data = state.read()
    now = time.time()
    out = {}
    for name, app in (data.get("applications") or {}).items():
        if state.app_status(app, now)[0] == "RUNNING" and app.get("deployment"):
            out[name] = app
    return out


def _tokens_of(prompt):
    if isinstance(prompt, list):
        if prompt and isinstance(prompt[0], int):
            return len(prompt)
        return sum(_tokens_of(p) for p in prompt)
    return max(1, int(len(str(prompt).split()) * 1.3))


def _text(seed, n, garbled):
    rng = random.Random(seed)
    if garbled:
        return ["".join(rng.choice("!#$%&@^~<>|?\ufffd") for _ in range(rng.randint(1, 3))) for _ in range(n)]
    return [(" " if i else " ") + rng.choice(WORDS) for i in range(n)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "uvicorn"
    sys_version = ""

    def log_message(self, fmt, *args):
        sys.stdout.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))
        sys.stdout.flush()

    def _json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self):
        host = self.headers.get("Host", "")
        self.send_response(404)
        msg = ("Path '%s' not found. Ping http://%s/-/routes for available routes." % (self.path, host)).encode()
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/-/healthz":
            data = b"success"
            self.send_response(200)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        apps = running_apps()
        if path == "/-/routes":
            self._json(200, {"/": name for name in apps})
            return
        if not apps:
            self._not_found()
            return
        if path == "/v1/models":
            data = []
            for app in apps.values():
                d = app["deployment"]
                data.append({"id": d["modelId"], "object": "model", "created": int(app.get("deployedAt", time.time())),
                             "owned_by": "organization-owner", "root": d.get("modelSource"), "parent": None,
                             "max_model_len": d.get("maxModelLen"), "permission": []})
            self._json(200, {"object": "list", "data": data})
            return
        if path == "/sim/deployment":
            self._json(200, next(iter(apps.values()))["deployment"])
            return
        self._not_found()

    def do_POST(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path not in ("/v1/completions", "/v1/chat/completions"):
            self._not_found()
            return
        apps = running_apps()
        if not apps:
            self._not_found()
            return
        try:
            length = int(self.headers.get("content-length") or 0)
            req = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._json(400, {"object": "error", "message": "Invalid JSON body", "type": "BadRequestError", "code": 400})
            return
        model = req.get("model")
        app = next((a for a in apps.values() if a["deployment"]["modelId"] == model), None)
        if app is None:
            self._json(404, {"object": "error", "message": "The model `%s` does not exist." % model,
                             "type": "NotFoundError", "param": None, "code": 404})
            return
        self._complete(path.endswith("chat/completions"), req, app["deployment"])

    def _complete(self, chat, req, dep):
        factor = simnode.time_scale()
        if chat:
            prompt = " ".join(str(m.get("content", "")) for m in req.get("messages") or [])
        else:
            prompt = req.get("prompt", "")
        isl = _tokens_of(prompt)
        osl = int(req.get("max_tokens") or req.get("max_completion_tokens") or 16)
        if osl < 1:
            self._json(400, {"object": "error", "message": "max_tokens must be at least 1, got %d." % osl,
                             "type": "BadRequestError", "code": 400})
            return
        if isl + osl > int(dep.get("maxModelLen") or 131072):
            self._json(400, {"object": "error", "message": "This model's maximum context length is %s tokens. However, you "
                             "requested %d tokens (%d in the messages, %d in the completion)." % (dep.get("maxModelLen"), isl + osl, isl, osl),
                             "type": "BadRequestError", "code": 400})
            return
        if dep["mode"] != "collocated" and not dep.get("transport"):
            time.sleep(2.0 * factor)
            self._json(500, {"object": "error", "message": "KV transfer failed: %s" % dep.get("transportError", "no transport"),
                             "type": "InternalServerError", "code": 500})
            return
        libfabric = (dep.get("backend") or "") == "LIBFABRIC" and dep["mode"] != "collocated"
        if libfabric and dep["prefill"]["tp"] != dep["decode"]["tp"]:
            # vllm#27055: heterogeneous TP over libfabric fails with EFA CQ errors.
            time.sleep(5.0 * factor)
            self._json(500, {"object": "error", "message": "KV transfer failed: CQ read failed on rail 0: Remote key (RKEY) "
                             "not registered or does not match remote IOVA", "type": "InternalServerError", "code": 500})
            return
        with _lock:
            _inflight["n"] += 1
            inflight = _inflight["n"]
        try:
            ttft, tpot = perf_model.single_request(dep, isl, osl, inflight)
            seed = hashlib.sha256(json.dumps([prompt, osl]).encode()).hexdigest()
            pieces = _text(seed, osl, libfabric)  # vllm#27055: same-TP libfabric moves zeroed KV -> gibberish
            if req.get("stream"):
                self._stream(chat, req, dep, pieces, ttft * factor, tpot * factor, isl)
            else:
                time.sleep((ttft + tpot * (osl - 1)) * factor)
                self._json(200, self._full(chat, req, dep, "".join(pieces), isl, osl))
        finally:
            with _lock:
                _inflight["n"] -= 1

    def _full(self, chat, req, dep, text, isl, osl):
        usage = {"prompt_tokens": isl, "total_tokens": isl + osl, "completion_tokens": osl}
        base = {"id": ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex, "created": int(time.time()), "model": dep["modelId"]}
        if chat:
            return dict(base, object="chat.completion", usage=usage, choices=[
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}])
        return dict(base, object="text_completion", usage=usage, choices=[
            {"index": 0, "text": text, "logprobs": None, "finish_reason": "length", "stop_reason": None}])

    def _stream(self, chat, req, dep, pieces, ttft_s, tpot_s, isl):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        cid = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex
        created = int(time.time())

        def chunk(i, piece, finish):
            if chat:
                delta = {"content": piece} if i else {"role": "assistant", "content": piece}
                choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": dep["modelId"], "choices": [choice]}
            choice = {"index": 0, "text": piece, "logprobs": None, "finish_reason": finish, "stop_reason": None}
            return {"id": cid, "object": "text_completion", "created": created, "model": dep["modelId"], "choices": [choice]}

        start = time.time()
        try:
            for i, piece in enumerate(pieces):
                target = start + ttft_s + i * tpot_s
                delay = target - time.time()
                if delay > 0:
                    time.sleep(delay)
                last = i == len(pieces) - 1
                self.wfile.write(("data: %s\n\n" % json.dumps(chunk(i, piece, "length" if last else None))).encode())
                self.wfile.flush()
            if (req.get("stream_options") or {}).get("include_usage"):
                usage = {"prompt_tokens": isl, "total_tokens": isl + len(pieces), "completion_tokens": len(pieces)}
                tail = {"id": cid, "object": "chat.completion.chunk" if chat else "text_completion", "created": created,
                        "model": dep["modelId"], "choices": [], "usage": usage}
                self.wfile.write(("data: %s\n\n" % json.dumps(tail)).encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main(argv=None):
    p = argparse.ArgumentParser(prog="ray.serve._sim.server")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--state", required=True)
    args = p.parse_args(argv)
    srv = Server((args.host, args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("Started Serve HTTP proxy on http://%s:%d (pid %d)" % (args.host, args.port, os.getpid()), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
