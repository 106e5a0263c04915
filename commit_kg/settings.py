"""All settings in one place: environment variables prefixed COMMIT_KG_, overridable by CLI flags."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from . import public_url
from .federation import parse_allow_list

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_TOKEN = 16  # characters an admin token must have: a short one can be guessed


class Settings(BaseSettings):
    """Where the files are and how the service listens; the build is a function of these folders."""

    model_config = SettingsConfigDict(env_prefix="COMMIT_KG_")

    ontology_dir: Path = PROJECT_ROOT / "ontology"
    shapes_dir: Path = PROJECT_ROOT / "shapes"
    data_dir: Path = PROJECT_ROOT / "data"
    queries_dir: Path = PROJECT_ROOT / "queries"
    host: str = "127.0.0.1"
    port: int = 8000
    # The public URL the service is reached at (behind a proxy); None: see allowed_hosts. Links never come
    # from a request's Host header (public_url.py). Resource IRIs .../id/... are served under {base_url}/id/...
    base_url: str | None = None
    # The hosts the service answers for (`host[:port]` or `https://host[:port]`; comma-separated or a JSON
    # list): a request naming another Host gets 421; links use the entry named, unless base_url is set.
    # Empty: every Host is answered, with links from base_url, else http://{host}:{port}.
    allowed_hosts: Annotated[list[str], NoDecode] = []
    # Seconds a SPARQL query may run before it is stopped and answered 503.
    query_timeout: float = 20.0
    # SPARQL endpoints a query may federate to with SERVICE (COMMIT_KG_SERVICE_ALLOW_LIST: comma-separated
    # URLs or a JSON list); empty: no outbound request at all, and the query workers cannot open network
    # sockets (seccomp). Calls go through the relay of commit_kg/federation.py, with these bounds:
    service_allow_list: Annotated[list[str], NoDecode] = []
    federation_timeout: float = 10.0  # seconds one SERVICE call may take (504 federation_timeout)
    federation_max_rows: int = 10_000  # rows one SERVICE call may bring back (502 federation_failed)
    federation_max_bytes: int = 16 * 1024 * 1024  # bytes of one SERVICE answer (502 federation_failed)

    # The SPARQL query endpoint of a store that holds the graph (written by `commit-kg load --into`):
    # `serve` then answers every route from it and builds nothing (COMMIT_KG_STORE_URL, `serve --store`);
    # None: the embedded store, built from the folders.
    store_url: str | None = None
    # The account `load --into` answers the Update endpoint's HTTP challenge (Basic or Digest) with
    # (COMMIT_KG_STORE_USER, COMMIT_KG_STORE_PASSWORD), e.g. Virtuoso's /sparql-auth; unset: none.
    store_user: str | None = None
    store_password: SecretStr | None = None

    @field_validator("store_url")
    @classmethod
    def store_endpoint(cls, value: str | None) -> str | None:
        if value is not None and len(parse_allow_list(value)) != 1:
            raise ValueError("give one absolute http(s) URL: the store's SPARQL query endpoint")
        return value

    @model_validator(mode="after")
    def no_federation_through_a_remote_store(self) -> Settings:
        if self.store_url and self.service_allow_list:
            raise ValueError("COMMIT_KG_SERVICE_ALLOW_LIST with COMMIT_KG_STORE_URL: a remote store runs "
                             "SERVICE itself, outside this service's relay and limits; give one or the other")
        return self

    @field_validator("service_allow_list", mode="before")
    @classmethod
    def allow_list(cls, value: object) -> list[str]:
        return parse_allow_list(value)
    # Query workers per HTTP process (commit_kg/query_pool.py); 0: sized for the machine (the cores
    # divided among the HTTP processes; the fast lane at least 2).
    query_workers: int = 0  # the heavy lane: queries that overran the fast slice
    query_fast_workers: int = 0  # the fast lane: every query first runs here
    # Seconds a query may run in the fast lane before it moves to the heavy lane.
    query_fast_slice: float = 0.4
    # Queries that may wait for a heavy worker; past it 503 query_queue_full with Retry-After.
    query_queue: int = 64
    # Memory a query worker may take beyond what it maps when it starts (RLIMIT_AS), in MiB.
    query_memory_mb: int = 2048
    # Largest answer /sparql sends, in bytes; larger is 422 result_too_large.
    query_result_max_bytes: int = 64 * 1024 * 1024
    # Largest request body, in bytes (413 payload_too_large), and longest query text, in characters
    # (413 query_too_long); the deepest nesting of {} () [] a query may have (400 query_too_deep).
    request_max_bytes: int = 1024 * 1024
    query_max_length: int = 100_000
    query_max_depth: int = 256
    # Largest request head (request line and headers), in bytes: a longer request line is 414
    # uri_too_long, larger headers 431 headers_too_large (commit_kg/service/protocol.py).
    request_head_max_bytes: int = 16 * 1024
    # Dates on which the build materialises coverage and criterion status for the SHACL gap reports:
    # the end of SPA II and today (COMMIT_KG_REFERENCE_DATES='["2010-12-31", "today"]').
    reference_dates: list[str] = ["2010-12-31", "today"]

    @field_validator("base_url")
    @classmethod
    def absolute_base_url(cls, value: str | None) -> str | None:
        return public_url.base_url(value)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def host_list(cls, value: object) -> object:
        return public_url.host_list(value)

    @field_validator("allowed_hosts")
    @classmethod
    def host_origins(cls, values: list[str]) -> list[str]:
        return [public_url.origin(value) for value in values]

    def public_origins(self) -> public_url.PublicOrigins:
        """Where the service's links point (never where a request says it is)."""
        return public_url.PublicOrigins.of(self.base_url, self.allowed_hosts, self.host, self.port)

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

    # Where builds that passed the SHACL gate are kept, keyed by a hash of their input files, so that a
    # restart on unchanged files skips the build (COMMIT_KG_CACHE_DIR); None: $XDG_CACHE_HOME/commit-kg,
    # else ~/.cache/commit-kg.
    cache_dir: Path | None = None
    # HTTP worker processes `serve` forks after one build (COMMIT_KG_HTTP_WORKERS); None: one per core.
    http_workers: int | None = None
    # The bearer token of the admin routes (POST /admin/reload), or a file holding it, so that it need
    # not sit in the environment; neither set: there are no admin routes (404). At least 16 characters.
    admin_token: SecretStr | None = None
    admin_token_file: Path | None = None
    # Admin routes answer only clients on a loopback address (the connection's, not a header's); others 404.
    admin_loopback_only: bool = True

    def admin_secret(self) -> bytes | None:
        """The admin token (the setting, else the file's content), or None: no admin routes. Raises
        ValueError for a token too short to resist guessing, OSError for a file that cannot be read."""
        if self.admin_token is not None:
            token, where = self.admin_token.get_secret_value(), "COMMIT_KG_ADMIN_TOKEN"
        elif self.admin_token_file is not None:
            token, where = self.admin_token_file.read_text(encoding="utf-8").strip(), str(self.admin_token_file)
        else:
            return None
        if len(token) < MIN_TOKEN or not token.isascii() or not token.isprintable():
            raise ValueError(f"{where}: the admin token must be at least {MIN_TOKEN} printable ASCII characters")
        return token.encode()
