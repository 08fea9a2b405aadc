from dataclasses import dataclass


@dataclass
class BaseModelPath:
    name: str
    model_path: str


class OpenAIServingModels(object):
    def __init__(self, engine_client, base_model_paths, lora_modules=None, **_kw):
        self.engine_client = engine_client
        self.base_model_paths = list(base_model_paths)
        self.lora_requests = {}

    async def load_lora_adapter(self, request, base_model_name=None):
        from vllm.entrypoints.openai.protocol import ErrorInfo, ErrorResponse

        return ErrorResponse(error=ErrorInfo(message="LoRA is not enabled in this engine (pdflow simulator)", type="BadRequestError", code=400))

    def is_base_model(self, name):
        return any(p.name == name for p in self.base_model_paths)
