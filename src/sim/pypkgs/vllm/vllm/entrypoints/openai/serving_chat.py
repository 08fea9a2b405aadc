from vllm._sim.serving import Handler


class OpenAIServingChat(object):
    def __init__(self, engine_client, models, response_role="assistant", **_kw):
        self._h = Handler(engine_client, models, chat=True)

    async def create_chat_completion(self, request, raw_request=None):
        return await self._h.handle(request)
