"""Settings from the environment (``LOYALO_*``), with sensible embedded defaults."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.programme import BaseEarning
from loyalo.domain.programme.terms import ProgrammeTerms

# What each wallet cannot sign without; the rest have defaults or are optional.
_WALLET_SETTINGS = {
    "apple": (
        "apple_pass_type_id",
        "apple_team_id",
        "apple_organization_name",
        "apple_certificate_path",
        "apple_key_path",
    ),
    "google": ("google_issuer_id", "google_service_account_email", "google_private_key_path"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOYALO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the embedded database lives")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; PostgreSQL in production. Default: SQLite"
    )
    db_pool_size: int = 20
    http_threads: int = Field(
        default=40,
        ge=1,
        description="Requests the API serves at once (the rest queue); each may hold a database "
        "connection, and the pool gives at most twice db_pool_size",
    )
    currency: str = "PLN"
    earn_points_per_unit: Decimal = Decimal(1)
    redeem_points_per_unit: Decimal = Decimal(10)
    pending_days: int = 0
    hold_ttl_seconds: int = 900
    card_prefix: str = "8900"
    scheduler_interval_seconds: float = 30.0
    analytics_costs: Path | None = Field(
        default=None, description="The analytics costs file, YAML (docs/guide/analytics.md)"
    )
    analytics_engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="What runs the KPI queries: DuckDB embedded, or Apache Spark (pip install "
        "'loyalo[spark]', Java 17) when the data outgrows one machine",
    )
    analytics_dir: Path | None = Field(
        default=None,
        description="Where the export writes its Parquet files; storage every Spark executor "
        "reads, on a cluster. Default: <data_dir>/analytics",
    )
    spark_master: str = Field(
        default="local[*]", description="The Spark master, e.g. spark://host:7077"
    )

    # Wallet passes (docs/guide/passes.md); a wallet left unset answers passes-not-configured.
    apple_pass_type_id: str | None = Field(default=None, description="e.g. pass.com.example.card")
    apple_team_id: str | None = None
    apple_organization_name: str | None = None
    apple_certificate_path: Path | None = Field(default=None, description="Pass certificate PEM")
    apple_key_path: Path | None = Field(default=None, description="Its private key, PEM")
    apple_key_password: str | None = None
    apple_wwdr_path: Path | None = Field(default=None, description="Apple WWDR intermediate PEM")
    apple_artwork_dir: Path | None = Field(default=None, description="icon.png, logo.png, …")
    google_issuer_id: str | None = None
    google_class_suffix: str = "loyalty"
    google_service_account_email: str | None = None
    google_private_key_path: Path | None = Field(default=None, description="RSA key, PEM")
    google_origins: list[str] = Field(default_factory=list)
    google_program_logo_url: str | None = None

    @field_validator(
        "apple_certificate_path",
        "apple_key_path",
        "apple_wwdr_path",
        "apple_artwork_dir",
        "google_private_key_path",
        mode="before",
    )
    @classmethod
    def _empty_path_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # an empty variable, not the current directory

    @model_validator(mode="after")
    def _each_wallet_whole_or_absent(self) -> Self:
        for wallet, names in _WALLET_SETTINGS.items():
            missing = [name for name in names if not getattr(self, name)]
            if 0 < len(missing) < len(names):
                variables = ", ".join(f"LOYALO_{name.upper()}" for name in missing)
                raise ValueError(f"{wallet} wallet passes need {variables} as well")
        return self

    @property
    def resolved_analytics_dir(self) -> Path:
        return self.analytics_dir or self.data_dir / "analytics"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'loyalo.db').resolve()}"

    def default_programme(self) -> ProgrammeDocument:
        """The programme in force until one is applied (version 0): the base rate only."""
        return ProgrammeDocument(
            currency=self.currency,
            redeem_points_per_unit=self.redeem_points_per_unit,
            earning=BaseEarning(points=self.earn_points_per_unit),
            pending_days=self.pending_days,
            hold_minutes=max(1, self.hold_ttl_seconds // 60),
        )

    def terms(self) -> ProgrammeTerms:
        return ProgrammeTerms(
            currency=self.currency,
            earn_points_per_unit=self.earn_points_per_unit,
            redeem_points_per_unit=self.redeem_points_per_unit,
            pending_days=self.pending_days,
            hold_ttl=timedelta(seconds=self.hold_ttl_seconds),
            card_prefix=self.card_prefix,
        )
