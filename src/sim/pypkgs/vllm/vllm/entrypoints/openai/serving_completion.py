from vllm._sim.serving import Handler


class OpenAIServingCompletion(object):
    def __init__(self, engine_client, models, **_kw):
        self._h = Handler(engine_client, models, chat=False)

    async def create_completion(self, request, raw_request=None):
        return await self._h.handle(request)
