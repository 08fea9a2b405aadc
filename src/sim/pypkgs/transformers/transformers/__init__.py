"""STOPGAP stand-in for transformers (see pkg.json): what Ray Serve LLM and vLLM call at engine
start, read from the model's config.json / tokenizer files in the local HF cache."""
import json
import os

from .utils.hub import TRANSFORMERS_CACHE, cached_file

__version__ = "4.57.1"


class PretrainedConfig(object):
    def __init__(self, **kw):
        self.__dict__.update(kw)

    @classmethod
    def from_pretrained(cls, name_or_path, trust_remote_code=False, **_kw):
        with open(cached_file(name_or_path, "config.json")) as f:
            return cls(**json.load(f))

    def to_dict(self):
        return dict(self.__dict__)


class AutoConfig(PretrainedConfig):
    pass


class _Tokenizer(object):
    def __init__(self, path):
        self.name_or_path = path
        self.model_max_length = 131072

    def encode(self, text, **_kw):
        return list(range(max(1, int(len(str(text).split()) * 1.3))))

    def __call__(self, text, **kw):
        return {"input_ids": self.encode(text, **kw)}


class AutoTokenizer(object):
    @staticmethod
    def from_pretrained(name_or_path, trust_remote_code=False, **_kw):
        cached_file(name_or_path, "tokenizer_config.json", missing_ok=True)
        return _Tokenizer(name_or_path)


__all__ = ["AutoConfig", "AutoTokenizer", "PretrainedConfig", "TRANSFORMERS_CACHE"]
