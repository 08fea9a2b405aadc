class EngineClient(object):
    """vllm.engine.protocol.EngineClient: what the OpenAI serving classes need from an engine."""

    async def check_health(self):
        raise NotImplementedError
