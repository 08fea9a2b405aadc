def get_tokenizer(tokenizer_name, *args, tokenizer_mode="auto", trust_remote_code=False, **kwargs):
    """The tokenizer of a model in the HF cache, through transformers (as vLLM does)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tokenizer_name, trust_remote_code=trust_remote_code)
