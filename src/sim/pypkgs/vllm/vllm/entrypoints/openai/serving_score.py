class ServingScores(object):
    """Not served: gpt-oss is a generative model (vLLM sets state.openai_serving_scores = None)."""
