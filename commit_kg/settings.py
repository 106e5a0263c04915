"""All settings in one place: environment variables prefixed COMMIT_KG_, overridable by CLI flags."""

from __future__ import annotations

import datetime
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where the files are and how the service listens; the build is a function of these folders."""

    model_config = SettingsConfigDict(env_prefix="COMMIT_KG_")

    ontology_dir: Path = PROJECT_ROOT / "ontology"
    shapes_dir: Path = PROJECT_ROOT / "shapes"
    data_dir: Path = PROJECT_ROOT / "data"
    queries_dir: Path = PROJECT_ROOT / "queries"
    host: str = "127.0.0.1"
    port: int = 8000
    # The public URL the service is reached at (behind a proxy); None: the URL of each request.
    # Resource IRIs https://w3id.org/commit-kg/id/... are served under {base_url}/id/...
    base_url: str | None = None
    # Seconds a SPARQL query may run before it is stopped and answered 503.
    query_timeout: float = 20.0
    # SPARQL endpoints a query may federate to with SERVICE; empty: no outbound request at all.
    service_allow_list: list[str] = []
    # Dates on which the build materialises coverage and criterion status for the SHACL gap reports:
    # the end of SPA II and today (COMMIT_KG_REFERENCE_DATES='["2010-12-31", "today"]').
    reference_dates: list[str] = ["2010-12-31", "today"]

    @field_validator("reference_dates")
    @classmethod
    def dates_or_today(cls, values: list[str]) -> list[str]:
        for value in values:
            if value != "today":
                datetime.date.fromisoformat(value)
        return values

    def reference_days(self) -> list[datetime.date]:
        """The reference dates as days, 'today' resolved now."""
        return sorted({datetime.date.today() if v == "today" else datetime.date.fromisoformat(v)
                       for v in self.reference_dates})
