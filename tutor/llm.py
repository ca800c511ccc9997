"""The chat model: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama) through LangChain.

Built once by the composition root from `LLMSettings`; everything else receives the model.
No model (None) when `llm.base_url` or `llm.model` is empty: the tutor then answers extractively.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from hocvuso.settings import LLMSettings

# Local servers (vLLM, Ollama) accept any key but the OpenAI client insists on having one.
_PLACEHOLDER_KEY = "not-needed"


def make_chat_model(settings: LLMSettings) -> BaseChatModel | None:
    """A `ChatOpenAI` client for the configured endpoint, or None when none is configured.

    Timeout and max tokens come from the settings and are set on the client; retries are off
    (max_retries=0) so a failing endpoint costs one timeout, after which the tutor falls back to
    an extractive answer.
    """
    base_url = settings.base_url.strip()
    model = settings.model.strip()
    if not base_url or not model:
        return None
    from langchain_openai import ChatOpenAI

    api_key = settings.api_key or SecretStr(_PLACEHOLDER_KEY)
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,
        timeout=settings.timeout_s,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        max_retries=0,
    )
