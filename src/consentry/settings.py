"""Every knob in one place, from ``CONSENTRY_*`` environment variables or a ``.env`` file."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from consentry.errors import ConsentryError, InvalidSettings, UnsafeSettings
from consentry.ledger.cosignature import parse_cosigner_vkey
from consentry.terms.notice import MINIMUM_NOTICE_DAYS

DEVELOPMENT_SECRET = "development-only-secret-change-me"


class WitnessEndpoint(BaseModel):
    """A C2SP tlog-witness the log asks to cosign each new checkpoint: where (its submission
    prefix, ``/add-checkpoint`` is appended) and its verifier key string."""

    url: str = Field(pattern=r"^https?://")
    key: str

    @field_validator("key")
    @classmethod
    def _witness_key(cls, key: str) -> str:
        try:
            parse_cosigner_vkey(key)
        except ConsentryError as error:
            raise ValueError(error.message) from error
        return key


class Settings(BaseSettings):
    """Safe defaults for the embedded mode: SQLite under ./consentry-data/."""

    model_config = SettingsConfigDict(env_prefix="CONSENTRY_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("consentry-data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to SQLite in data_dir")
    secret_key: str = Field(
        default=DEVELOPMENT_SECRET, description="Keys the hashes of API tokens")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, le=64, description="Server worker processes")
    worker_start_seconds: int = Field(
        default=60, ge=1, le=600, description="How long a starting worker may take to answer "
                                              "the server's health check before it is replaced")
    cookie_secure: bool | None = Field(
        default=None, description="Secure session cookies; default: when served over HTTPS")
    hsts_seconds: int | None = Field(
        default=None, ge=0, description="Strict-Transport-Security max-age on every response, "
                                        "for a site served only over HTTPS; default: a year "
                                        "when public_url is https, else off; 0 = off")
    token_ttl_days: int = Field(default=90, ge=1, le=3650)
    decision_batch_limit: int = Field(default=10_000, ge=1)
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1, description="Largest audio upload, in bytes")
    max_audio_seconds: float = Field(
        default=3 * 3600, gt=0, description="Longest audio accepted, in seconds")
    public_url: str | None = Field(
        default=None, description="The site's address in generated files; default: the request's")
    operator_name: str = Field(default="consentry", description="Who runs this platform")
    signals_enabled: bool = Field(
        default=True, description="AI-use signals and crawler enforcement (off only to measure)")
    scrape_requests_per_minute: int = Field(
        default=600, ge=0, description="Per client on public content, per worker; 0 = no limit")
    scrape_burst: int = Field(default=200, ge=1, description="Requests a client may burst")
    licence_terms_url: str | None = Field(
        default=None, description="Where AI companies can license the music: enables the RSL "
                                  "licence and the TDM policy")
    licence_server: str | None = Field(default=None, description="An RSL licence server")
    signing_chain: Path | None = Field(
        default=None, description="PEM certificate chain (leaf first) that signs the C2PA "
                                  "manifests of downloads; default: the development chain "
                                  "`consentry init` makes, outside production")
    signing_key: Path | None = Field(default=None, description="PEM private key of that chain")
    log_key: Path | None = Field(
        default=None, description="PEM Ed25519 key that signs the transparency log's "
                                  "checkpoints; default: a development key `consentry init` "
                                  "makes, outside production")
    log_origin: str = Field(
        default="consentry.local/log", pattern=r"^[A-Za-z0-9._/-]{1,200}$",
        description="The log's name in its checkpoints (C2SP origin), e.g. music.example/log")
    witnesses: list[WitnessEndpoint] = Field(
        default_factory=list,
        description='Witnesses that cosign the log\'s checkpoints, as JSON: [{"url": '
                    '"http://127.0.0.1:7380", "key": "witness.example/w1+1a2b3c4d+BA..."}]')
    witness_timeout_seconds: float = Field(
        default=5, gt=0, description="How long a new checkpoint waits for each witness")
    notice_days: int = Field(
        default=MINIMUM_NOTICE_DAYS, ge=MINIMUM_NOTICE_DAYS, le=3650,
        description=f"Notice before terms that change AI use apply (at least "
                    f"{MINIMUM_NOTICE_DAYS} days; no setting can shorten it)")
    dispute_response_days: int = Field(
        default=14, ge=1, le=365,
        description="Days a claimant has to answer a dispute; unanswered, the claim is released")
    mail_enabled: bool = Field(
        default=False, description="Send the outbox from the server every outbox_interval; "
                                   "off: mail waits for `consentry outbox send`")
    outbox_interval_seconds: int = Field(default=60, ge=1)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=False, description="STARTTLS before logging in")
    smtp_timeout_seconds: float = Field(default=20, gt=0)
    mail_from: str = Field(default="consentry@localhost", description="The From address")
    webhooks_enabled: bool = Field(
        default=True, description="Send withdrawal webhooks from the server every "
                                  "webhook_interval; off: they wait for `consentry webhooks send`")
    webhook_interval_seconds: int = Field(default=15, ge=1)
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    watch_host_interval_seconds: float = Field(
        default=10, ge=0, description="The watcher's pause between two requests to one host")
    watch_timeout_seconds: float = Field(default=20, gt=0)
    watch_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    watch_contact: str = Field(
        default="https://github.com/consentry", description="Named in the watcher's user agent")

    @property
    def development_signing_dir(self) -> Path:
        return self.data_dir / "signing"

    @property
    def effective_log_key(self) -> Path:
        return self.log_key or self.development_signing_dir / "log-ed25519.pem"

    @property
    def base_url(self) -> str:
        """Where people reach the app, for links in mail: the public URL, else the server."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def effective_hsts_seconds(self) -> int:
        if self.hsts_seconds is not None:
            return self.hsts_seconds
        return 365 * 86400 if (self.public_url or "").startswith("https://") else 0

    @property
    def dispute_window(self) -> timedelta:
        return timedelta(days=self.dispute_response_days)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'consentry.db').resolve()}"

    def check_safe(self) -> None:
        """Refuse to run outside development with the default secret."""
        if self.environment == "production" and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise UnsafeSettings(
                "CONSENTRY_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')")
        if self.environment == "production" and not (self.signing_chain and self.signing_key):
            raise UnsafeSettings(
                "CONSENTRY_SIGNING_CHAIN and CONSENTRY_SIGNING_KEY must name the certificate "
                "chain and key that sign downloads in production; the development chain is "
                "not trusted by anyone")
        if self.environment == "production" and not self.log_key:
            raise UnsafeSettings(
                "CONSENTRY_LOG_KEY must name the Ed25519 key that signs the transparency log "
                "in production (and CONSENTRY_LOG_ORIGIN the log's public name)")
        if bool(self.signing_chain) != bool(self.signing_key):
            raise UnsafeSettings(
                "set both CONSENTRY_SIGNING_CHAIN and CONSENTRY_SIGNING_KEY, or neither")


@lru_cache
def get_settings() -> Settings:
    """The settings, or ``InvalidSettings`` naming each variable that is off and why."""
    try:
        return Settings()
    except ValidationError as error:
        problems = [f"CONSENTRY_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                    for e in error.errors()]
        raise InvalidSettings(f"{len(problems)} setting(s) cannot be used",
                              {"problems": problems}) from error
