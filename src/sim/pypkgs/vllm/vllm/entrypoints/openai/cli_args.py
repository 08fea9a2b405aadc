"""vllm.entrypoints.openai.cli_args.FrontendArgs: the API server's own options."""
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class FrontendArgs:
    host: Optional[str] = None
    port: int = 8000
    uvicorn_log_level: str = "info"
    allow_credentials: bool = False
    allowed_origins: List[str] = field(default_factory=lambda: ["*"])
    api_key: Optional[str] = None
    lora_modules: Optional[list] = None
    chat_template: Optional[str] = None
    chat_template_content_format: str = "auto"
    response_role: str = "assistant"
    return_tokens_as_token_ids: bool = False
    enable_auto_tool_choice: bool = False
    tool_call_parser: Optional[str] = None
    enable_prompt_tokens_details: bool = False
    enable_force_include_usage: bool = False
    enable_log_outputs: bool = False
    max_log_len: Optional[int] = None
