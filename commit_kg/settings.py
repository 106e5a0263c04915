"""All settings in one place: environment variables prefixed COMMIT_KG_, overridable by CLI flags."""

from __future__ import annotations

from pathlib import Path

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
