def maybe_serialize_tool_calls(request):
    """Mistral tokenizers need tool calls serialized; gpt-oss does not: nothing to do."""
    return None
