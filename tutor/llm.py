"""The chat model: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama) through LangChain.

Built once by the composition root from an `LLMConfig`; everything else receives the model.
No model (None) when `llm.base_url` or `llm.model` is empty: the tutor then answers extractively.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from tutor.config import LLMConfig

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel


# Local servers (vLLM, Ollama) accept any key but the OpenAI client insists on having one.
_PLACEHOLDER_KEY = "not-needed"


def make_chat_model(config: LLMConfig) -> BaseChatModel | None:
    """A `ChatOpenAI` client for the configured endpoint, or None when none is configured.

    Timeout and max tokens come from the config and are set on the client; retries are off
    (max_retries=0) so a failing endpoint costs one timeout, after which the tutor falls back to
    an extractive answer.
    """
    base_url = config.base_url.strip()
    model = config.model.strip()
    if not base_url or not model:
        return None
    from langchain_openai import ChatOpenAI

    api_key = SecretStr(config.api_key or _PLACEHOLDER_KEY)
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,
        timeout=config.timeout_s,
        max_tokens=config.max_tokens,  # type: ignore[call-arg]  # pydantic alias of max_completion_tokens
        temperature=config.temperature,
        max_retries=0,
    )
