"""The small files of an emulated model repo that the real transformers 4.57 loads on a node:
config.json (a config of the model's real model_type), and a real, loadable tokenizer (tokenizer.json
in the `tokenizers` format, tokenizer_config.json, special_tokens_map.json, chat_template.jinja).

The tokenizer is a tiny BPE with Llama 3's ignore_merges: a word of WORDS is one token, any other
word splits into the pieces the merges build (prefixes of WORDS, else single characters), so token
counts behave like a real tokenizer's. Vocabulary ids: 0 is <unk>, then the printable ASCII
characters, then every merge result in order; the special tokens follow.
"""
import json

# Common English words and the serving vocabulary the tests and smoke queries use.
WORDS = """
the of and to a in is it you that he was for on are with as I his they be at one have this from or
had by hot word but what some we can out other were all there when up use your how said an each she
which do their time if will way about many then them write would like so these her long make thing
see him two has look more day could go come did number sound no most people my over know water than
call first who may down side been now find any new work part take get place made live where after
back little only round man year came show every good me give our under name very through just form
hi hello world model models token tokens prompt prompts request requests response stream streams
prefill decode disaggregation cache KV GPU GPUs node nodes engine engines network block blocks
layer layers transformer keys values first fast steady output input latency throughput serve
Explain explain while runs its own moves between so sees
""".split()
ALPHABET = [chr(c) for c in range(33, 127)]
UNK = "<unk>"

SPECIALS = {
    # bos, eos, pad and the end-of-turn token of each family (names as the real tokenizers spell them)
    "gpt_oss": {"bos": "<|startoftext|>", "eos": "<|return|>", "pad": "<|endoftext|>",
                "extra": ["<|start|>", "<|message|>", "<|end|>", "<|channel|>"], "add_bos": False},
    "llama": {"bos": "<|begin_of_text|>", "eos": "<|eot_id|>", "pad": "<|end_of_text|>",
              "extra": ["<|start_header_id|>", "<|end_header_id|>"], "add_bos": True},
}


def family(repo):
    return "gpt_oss" if "gpt-oss" in repo else "llama"


def vocab_and_merges():
    vocab = {UNK: 0}
    for ch in ALPHABET:
        vocab[ch] = len(vocab)
    merges = []
    for word in WORDS:
        for i in range(2, len(word) + 1):
            piece = word[:i]
            if piece not in vocab:
                vocab[piece] = len(vocab)
                merges.append([word[:i - 1], word[i - 1]])
    return vocab, merges


def special_tokens(repo):
    s = SPECIALS[family(repo)]
    names = [s["bos"], s["pad"], s["eos"]] + s["extra"]
    base = len(vocab_and_merges()[0])
    return {name: base + i for i, name in enumerate(names)}


def _added(content, token_id):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(repo):
    vocab, merges = vocab_and_merges()
    specials = special_tokens(repo)
    fam = SPECIALS[family(repo)]
    post = None
    if fam["add_bos"]:
        bos = fam["bos"]
        post = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {bos: {"id": bos, "ids": [specials[bos]], "tokens": [bos]}}}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [_added(UNK, 0)] + [_added(name, i) for name, i in specials.items()],
        "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": post, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": UNK, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": merges},
    }


def tokenizer_config_json(repo):
    fam = SPECIALS[family(repo)]
    specials = special_tokens(repo)
    decoder = {str(i): {k: v for k, v in _added(name, i).items() if k != "id"}
               for name, i in [(UNK, 0)] + list(specials.items())}
    return {"tokenizer_class": "PreTrainedTokenizerFast", "added_tokens_decoder": decoder,
            "bos_token": fam["bos"], "eos_token": fam["eos"], "pad_token": fam["pad"], "unk_token": UNK,
            "clean_up_tokenization_spaces": False, "model_max_length": 131072,
            "model_input_names": ["input_ids", "attention_mask"]}


def special_tokens_map_json(repo):
    fam = SPECIALS[family(repo)]
    return {"bos_token": fam["bos"], "eos_token": fam["eos"], "pad_token": fam["pad"], "unk_token": UNK}


def chat_template(repo):
    """A short template in the family's turn format (loaded with the tokenizer)."""
    if family(repo) == "gpt_oss":
        return ("{% for m in messages %}<|start|>{{ m['role'] }}<|message|>{{ m['content'] }}<|end|>{% endfor %}"
                "{% if add_generation_prompt %}<|start|>assistant{% endif %}")
    return ("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
            "{{ m['content'] }}<|eot_id|>{% endfor %}"
            "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}")


def config_json(repo):
    """gpt-oss-120b/20b's architecture (GptOssConfig), else a Llama 3.1 8B-like one (LlamaConfig)."""
    specials = special_tokens(repo)
    fam = SPECIALS[family(repo)]
    common = {"bos_token_id": specials[fam["bos"]], "eos_token_id": specials[fam["eos"]],
              "pad_token_id": specials[fam["pad"]], "max_position_embeddings": 131072, "torch_dtype": "bfloat16",
              "transformers_version": "4.57.1", "use_cache": True, "tie_word_embeddings": False}
    if family(repo) == "gpt_oss":
        small = repo.endswith("-20b")
        layers = 24 if small else 36
        return dict(common, **{
            "architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "num_hidden_layers": layers,
            "hidden_size": 2880, "intermediate_size": 2880, "head_dim": 64, "num_attention_heads": 64,
            "num_key_value_heads": 8, "num_local_experts": 32 if small else 128, "num_experts_per_tok": 4,
            "experts_per_token": 4, "vocab_size": 201088, "rms_norm_eps": 1e-05, "sliding_window": 128,
            "layer_types": ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(layers)],
            "rope_theta": 150000, "rope_scaling": {"rope_type": "yarn", "factor": 32.0, "beta_fast": 32.0, "beta_slow": 1.0,
                                                   "original_max_position_embeddings": 4096, "truncate": False},
            "initial_context_length": 4096, "attention_bias": True, "hidden_act": "silu", "swiglu_limit": 7.0,
            "router_aux_loss_coef": 0.9, "output_router_logits": False,
            "quantization_config": {"quant_method": "mxfp4",
                                    "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                                               "model.embed_tokens", "lm_head"]},
        })
    return dict(common, **{
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
        "intermediate_size": 14336, "head_dim": 128, "num_attention_heads": 32, "num_key_value_heads": 8,
        "vocab_size": 128256, "rms_norm_eps": 1e-05, "hidden_act": "silu", "attention_bias": False, "mlp_bias": False,
        "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
    })


JSON_FILES = {"config.json": config_json, "tokenizer.json": tokenizer_json, "tokenizer_config.json": tokenizer_config_json,
              "special_tokens_map.json": special_tokens_map_json}


def content_of(repo, path):
    """Root-level model files with real content (None for any other file)."""
    if "/" in path:
        return None
    if path in JSON_FILES:
        return json.dumps(JSON_FILES[path](repo), indent=2, ensure_ascii=False).encode()
    if path == "chat_template.jinja":
        return chat_template(repo).encode()
    return None
