"""vllm.entrypoints.openai.protocol: the OpenAI request/response models (pydantic) of vLLM 0.11,
with the fields Ray Serve LLM and the PD proxy use (kv_transfer_params on requests and
responses). Unknown request fields are accepted, as vLLM does (it logs and ignores them)."""
import time
from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from vllm.utils import random_uuid


class OpenAIBaseModel(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorInfo(OpenAIBaseModel):
    message: str
    type: str
    param: Optional[str] = None
    code: int


class ErrorResponse(OpenAIBaseModel):
    error: ErrorInfo


class StreamOptions(OpenAIBaseModel):
    include_usage: Optional[bool] = True
    continuous_usage_stats: Optional[bool] = False


class UsageInfo(OpenAIBaseModel):
    prompt_tokens: int = 0
    total_tokens: int = 0
    completion_tokens: Optional[int] = 0
    prompt_tokens_details: Optional[Dict[str, Any]] = None


class _SamplingFields(OpenAIBaseModel):
    model: Optional[str] = None
    max_tokens: Optional[int] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    n: int = 1
    seed: Optional[int] = None
    stop: Optional[Union[str, List[str]]] = None
    stream: Optional[bool] = False
    stream_options: Optional[StreamOptions] = None
    ignore_eos: bool = False
    min_tokens: int = 0
    user: Optional[str] = None
    kv_transfer_params: Optional[Dict[str, Any]] = Field(default=None, description="KVTransfer parameters used for disaggregated serving.")


class CompletionRequest(_SamplingFields):
    prompt: Optional[Union[List[int], List[List[int]], str, List[str]]] = None
    max_tokens: Optional[int] = 16
    echo: Optional[bool] = False
    logprobs: Optional[int] = None


class ChatCompletionRequest(_SamplingFields):
    messages: List[Dict[str, Any]]
    max_completion_tokens: Optional[int] = None
    logprobs: Optional[bool] = False


class CompletionLogProbs(OpenAIBaseModel):
    text_offset: List[int] = Field(default_factory=list)
    token_logprobs: List[Optional[float]] = Field(default_factory=list)
    tokens: List[str] = Field(default_factory=list)
    top_logprobs: List[Optional[Dict[str, float]]] = Field(default_factory=list)


class CompletionResponseChoice(OpenAIBaseModel):
    index: int
    text: str
    logprobs: Optional[CompletionLogProbs] = None
    finish_reason: Optional[str] = None
    stop_reason: Optional[Union[int, str]] = None


class CompletionResponse(OpenAIBaseModel):
    id: str = Field(default_factory=lambda: "cmpl-%s" % random_uuid())
    object: Literal["text_completion"] = "text_completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: List[CompletionResponseChoice]
    usage: UsageInfo
    kv_transfer_params: Optional[Dict[str, Any]] = None


class CompletionResponseStreamChoice(OpenAIBaseModel):
    index: int
    text: str
    logprobs: Optional[Any] = None
    finish_reason: Optional[str] = None
    stop_reason: Optional[Union[int, str]] = None


class CompletionStreamResponse(OpenAIBaseModel):
    id: str = Field(default_factory=lambda: "cmpl-%s" % random_uuid())
    object: str = "text_completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: List[CompletionResponseStreamChoice]
    usage: Optional[UsageInfo] = None


class ChatMessage(OpenAIBaseModel):
    role: str
    content: Optional[str] = None


class ChatCompletionResponseChoice(OpenAIBaseModel):
    index: int
    message: ChatMessage
    logprobs: Optional[Any] = None
    finish_reason: Optional[str] = "stop"
    stop_reason: Optional[Union[int, str]] = None


class ChatCompletionResponse(OpenAIBaseModel):
    id: str = Field(default_factory=lambda: "chatcmpl-%s" % random_uuid())
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: List[ChatCompletionResponseChoice]
    usage: UsageInfo
    kv_transfer_params: Optional[Dict[str, Any]] = None


class DeltaMessage(OpenAIBaseModel):
    role: Optional[str] = None
    content: Optional[str] = None


class ChatCompletionResponseStreamChoice(OpenAIBaseModel):
    index: int
    delta: DeltaMessage
    logprobs: Optional[Any] = None
    finish_reason: Optional[str] = None
    stop_reason: Optional[Union[int, str]] = None


class ChatCompletionStreamResponse(OpenAIBaseModel):
    id: str = Field(default_factory=lambda: "chatcmpl-%s" % random_uuid())
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: List[ChatCompletionResponseStreamChoice]
    usage: Optional[UsageInfo] = None


class EmbeddingCompletionRequest(OpenAIBaseModel):
    model: Optional[str] = None
    input: Union[List[int], List[List[int]], str, List[str]]


class EmbeddingChatRequest(OpenAIBaseModel):
    model: Optional[str] = None
    messages: List[Dict[str, Any]]


class EmbeddingResponse(OpenAIBaseModel):
    id: str = Field(default_factory=lambda: "embd-%s" % random_uuid())
    object: str = "list"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    data: List[Dict[str, Any]]
    usage: UsageInfo


class ScoreRequest(OpenAIBaseModel):
    model: Optional[str] = None
    text_1: Union[List[str], str]
    text_2: Union[List[str], str]


class ScoreResponse(OpenAIBaseModel):
    id: str = Field(default_factory=lambda: "score-%s" % random_uuid())
    object: str = "list"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    data: List[Dict[str, Any]]
    usage: UsageInfo


class LoadLoRAAdapterRequest(BaseModel):
    lora_name: str
    lora_path: str
