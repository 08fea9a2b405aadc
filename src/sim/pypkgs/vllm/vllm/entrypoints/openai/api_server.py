"""vllm.entrypoints.openai.api_server.init_app_state: the OpenAI serving objects on `state`."""
from vllm.entrypoints.openai.serving_chat import OpenAIServingChat
from vllm.entrypoints.openai.serving_completion import OpenAIServingCompletion
from vllm.entrypoints.openai.serving_models import BaseModelPath, OpenAIServingModels


async def init_app_state(engine_client, vllm_config, state, args):
    mc = vllm_config.model_config
    paths = [BaseModelPath(name=n, model_path=mc.model) for n in mc.served_model_name]
    state.engine_client = engine_client
    state.vllm_config = vllm_config
    state.openai_serving_models = OpenAIServingModels(engine_client, paths, lora_modules=getattr(args, "lora_modules", None))
    state.openai_serving_completion = OpenAIServingCompletion(engine_client, state.openai_serving_models)
    state.openai_serving_chat = OpenAIServingChat(engine_client, state.openai_serving_models,
                                                  response_role=getattr(args, "response_role", "assistant"))
    state.openai_serving_embedding = None
    state.openai_serving_scores = None
