"""The OpenAI completions/chat handlers of the emulated engine: validation as vLLM 0.11 does it,
NixlConnector's prefill/decode hand-off through kv_transfer_params, and tokens streamed at the
times the pdflow performance model gives (x PDFLOW_SIM_TIME_SCALE)."""
import asyncio
import hashlib
import json
import random
import time

from pdflow_sim import gpu_specs
from pdflow_sim import node as simnode
from pdflow_sim import perf_model
from pdflow_sim import transport as simtransport
from vllm.entrypoints.openai import protocol as P
from vllm.utils import random_uuid

WORDS = ("the model streams tokens from the decode engine while prefill runs on its own GPUs and the KV cache "
         "moves over the network between nodes as blocks of keys and values for every layer of the transformer "
         "so that each request sees a fast first token and a steady stream of output").split()
BLOCK_TOKENS = 16


def tokens_of(tokenizer, prompt, add_special_tokens=True):
    """Prompt tokens as vLLM counts them: token ids as given, text through the model's tokenizer
    (the real transformers tokenizer of the HF cache; completions add its special tokens)."""
    if isinstance(prompt, list):
        if prompt and isinstance(prompt[0], int):
            return len(prompt)
        return sum(tokens_of(tokenizer, p, add_special_tokens) for p in prompt)
    return len(tokenizer.encode(str(prompt or ""), add_special_tokens=add_special_tokens))


def _gpu_model(node_name):
    """The GPU name of a simulated node's hardware (nvidia-smi's), for the performance model."""
    return simnode.hardware(node_name).get("gpuModel")


def answer_key(prompt):
    return hashlib.sha256(json.dumps(str(prompt)).encode()).hexdigest()


def _pieces(key, n, garbled, tp=1):
    """Greedy output: token i depends on the prompt and i alone (max_tokens only cuts the answer short).
    A healthy engine of another TP drifts late, as real ones do (another reduction order): from a
    prompt-dependent position of 24..63 on, tokens depend on the TP too. Corrupted KV (a transfer that
    wrote the wrong blocks) breaks the answer from its first token."""
    drift_at = 24 + int(key[:4], 16) % 40
    out = []
    for i in range(n):
        if garbled:
            rng = random.Random("%s:garbled:%d" % (key, i))
            out.append("".join(rng.choice("!#$%&@^~<>|?\ufffd") for _ in range(rng.randint(1, 3))))
        else:
            rng = random.Random("%s:%d%s" % (key, i, ":tp%d" % tp if i >= drift_at else ""))
            out.append(" " + rng.choice(WORDS))
    return out


def error(message, kind, code):
    return P.ErrorResponse(error=P.ErrorInfo(message=message, type=kind, param=None, code=code))


class Handler(object):
    def __init__(self, engine, models, chat):
        self.engine = engine
        self.models = models
        self.chat = chat

    def _names(self):
        return list(self.engine.model_config.served_model_name)

    async def handle(self, request):
        eng = self.engine
        factor = simnode.time_scale()
        if request.model not in self._names() and request.model is not None:
            return error("The model `%s` does not exist." % request.model, "NotFoundError", 404)
        if self.chat:
            # The messages' contents (vLLM renders the chat template first; its few turn tokens are left out).
            prompt = [str(m.get("content", "")) for m in request.messages or []]
            osl = request.max_completion_tokens or request.max_tokens or 16
            isl = tokens_of(eng.tokenizer, prompt, add_special_tokens=False)
        else:
            prompt = request.prompt
            osl = request.max_tokens if request.max_tokens is not None else 16
            isl = tokens_of(eng.tokenizer, prompt)
        if osl < 1:
            return error("max_tokens must be at least 1, got %d." % osl, "BadRequestError", 400)
        max_len = eng.model_config.max_model_len
        if isl + osl > max_len:
            return error("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the "
                         "messages, %d in the completion). Please reduce the length of the messages or completion."
                         % (max_len, isl + osl, isl, osl), "BadRequestError", 400)
        kv = request.kv_transfer_params or {}
        eng.inflight += 1
        try:
            if kv.get("do_remote_decode"):
                return await self._prefill(request, isl, factor)
            if kv.get("do_remote_prefill"):
                dep, err = self._pd_deployment(kv)
                if err:
                    await asyncio.sleep(2.0 * factor)
                    return error("KV transfer failed: %s" % err, "InternalServerError", 500)
                ttft, tpot = perf_model.single_request(dep, isl, osl, eng.inflight)
                prefill_gpu = gpu_specs.gpu_spec(dep["prefill"]["gpuModel"])
                ttft = max(0.0, ttft - perf_model.prefill_seconds(dep["prefill"]["tp"], isl, prefill_gpu))
                garbled = dep["backend"] == "LIBFABRIC"
            else:
                dep = {"mode": "collocated", "replicas": 1, "tp": eng.tp, "gpuModel": _gpu_model(eng.node)}
                ttft, tpot = perf_model.single_request(dep, isl, osl, eng.inflight)
                garbled = False
            pieces = _pieces(answer_key(prompt), osl, garbled, eng.tp)
            if request.stream:
                return self._stream(request, pieces, ttft * factor, tpot * factor, isl)
            await asyncio.sleep((ttft + tpot * (osl - 1)) * factor)
            return self._full(request, pieces, isl, osl, None)
        finally:
            eng.inflight -= 1

    async def _prefill(self, request, isl, factor):
        """NixlConnector, producer side: the prompt is prefilled, its KV blocks stay for the decode
        engine to READ, and the response says where they are."""
        eng = self.engine
        gpu = gpu_specs.gpu_spec(_gpu_model(eng.node))
        await asyncio.sleep(perf_model.prefill_seconds(eng.tp, isl, gpu) * factor)
        import os

        params = {"do_remote_prefill": True, "do_remote_decode": False, "remote_engine_id": eng.engine_id,
                  "remote_block_ids": list(range((isl + BLOCK_TOKENS - 1) // BLOCK_TOKENS)),
                  "remote_host": os.environ.get("VLLM_NIXL_SIDE_CHANNEL_HOST", eng.host),
                  "remote_port": int(os.environ.get("VLLM_NIXL_SIDE_CHANNEL_PORT", "5600")), "tp_size": eng.tp}
        return self._full(request, _pieces(answer_key(request.prompt), 1, False, eng.tp), isl, 1, params)

    def _pd_deployment(self, kv):
        """(deployment for the performance model, error): the decode side of a NixlConnector hand-off."""
        eng = self.engine
        remote = simnode.node_by_host(kv.get("remote_host") or "")
        if remote is None:
            return None, "no NIXL agent at %s:%s (remote engine %s)" % (kv.get("remote_host"), kv.get("remote_port"), kv.get("remote_engine_id"))
        p_tp = int(kv.get("tp_size") or 1)
        if eng.backend == "LIBFABRIC" and p_tp != eng.tp:
            # vllm#27055: heterogeneous TP over libfabric fails with EFA CQ errors.
            return None, "CQ read failed on rail 0: Remote key (RKEY) not registered or does not match remote IOVA"
        try:
            transport = simtransport.select(eng.backend, remote["name"], eng.node)
        except simtransport.NoTransport as e:
            return None, str(e)
        mode = "pd-pack" if remote["name"] == eng.node else "pd-spread"
        return {"mode": mode, "backend": eng.backend, "transport": transport,
                "prefill": {"num": 1, "tp": p_tp, "gpuModel": _gpu_model(remote["name"])},
                "decode": {"num": 1, "tp": eng.tp, "gpuModel": _gpu_model(eng.node)}}, None

    def _full(self, request, pieces, isl, osl, kv_params):
        model = request.model or self._names()[0]
        usage = P.UsageInfo(prompt_tokens=isl, completion_tokens=osl, total_tokens=isl + osl)
        text = "".join(pieces)
        if self.chat:
            return P.ChatCompletionResponse(model=model, usage=usage, kv_transfer_params=kv_params, choices=[
                P.ChatCompletionResponseChoice(index=0, message=P.ChatMessage(role="assistant", content=text), finish_reason="length")])
        logprobs = None
        if request.logprobs is not None:
            # vLLM's CompletionLogProbs: one entry per generated token (greedy: the top one is the sampled one).
            offsets = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
            logprobs = P.CompletionLogProbs(text_offset=offsets, token_logprobs=[-0.01] * len(pieces), tokens=list(pieces),
                                            top_logprobs=[{p: -0.01} for p in pieces] if request.logprobs > 0 else [None] * len(pieces))
        return P.CompletionResponse(model=model, usage=usage, kv_transfer_params=kv_params, choices=[
            P.CompletionResponseChoice(index=0, text=text, logprobs=logprobs, finish_reason="length")])

    async def _stream(self, request, pieces, ttft_s, tpot_s, isl):
        model = request.model or self._names()[0]
        cid = ("chatcmpl-" if self.chat else "cmpl-") + random_uuid()
        created = int(time.time())
        start = time.time()
        for i, piece in enumerate(pieces):
            delay = start + ttft_s + i * tpot_s - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            finish = "length" if i == len(pieces) - 1 else None
            if self.chat:
                delta = P.DeltaMessage(role="assistant", content=piece) if i == 0 else P.DeltaMessage(content=piece)
                chunk = P.ChatCompletionStreamResponse(id=cid, created=created, model=model, choices=[
                    P.ChatCompletionResponseStreamChoice(index=0, delta=delta, finish_reason=finish)])
            else:
                chunk = P.CompletionStreamResponse(id=cid, created=created, model=model, choices=[
                    P.CompletionResponseStreamChoice(index=0, text=piece, finish_reason=finish)])
            yield "data: %s\n\n" % chunk.model_dump_json()
        opts = request.stream_options
        if opts is not None and opts.include_usage:
            usage = P.UsageInfo(prompt_tokens=isl, completion_tokens=len(pieces), total_tokens=isl + len(pieces))
            cls = P.ChatCompletionStreamResponse if self.chat else P.CompletionStreamResponse
            yield "data: %s\n\n" % cls(id=cid, created=created, model=model, choices=[], usage=usage).model_dump_json()
        yield "data: [DONE]\n\n"
