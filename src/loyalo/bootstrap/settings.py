"""Settings from the environment (``LOYALO_*``), with sensible embedded defaults."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.programme import BaseEarning
from loyalo.domain.programme.terms import ProgrammeTerms


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOYALO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the embedded database lives")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; PostgreSQL in production. Default: SQLite"
    )
    db_pool_size: int = 20
    currency: str = "PLN"
    earn_points_per_unit: Decimal = Decimal(1)
    redeem_points_per_unit: Decimal = Decimal(10)
    pending_days: int = 0
    hold_ttl_seconds: int = 900
    card_prefix: str = "8900"
    scheduler_interval_seconds: float = 30.0

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
