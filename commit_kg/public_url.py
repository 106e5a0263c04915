"""Which public URL the service's links use: never one a request names. A request's Host header (or any
X-Forwarded-* header) is the client's to choose, so a link made from it would put an attacker's origin
into the Service Description, VoID, dumps index and pages, and every distinct value into a cache.

Links come from the configured base URL (COMMIT_KG_BASE_URL); else, with a list of allowed hosts
(COMMIT_KG_ALLOWED_HOSTS), from the entry the request's Host equals, a request naming another host being
refused (421); else from the address the service listens on (http://{host}:{port}), whatever the Host.
Every value a link can take is therefore written in the configuration."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from urllib.parse import urlsplit

HOST_CHARACTERS = set(string.ascii_lowercase + string.digits + "-.")
IPV6_CHARACTERS = set(string.hexdigits.lower() + ":.")


def host_list(value: object) -> object:
    """COMMIT_KG_ALLOWED_HOSTS as given: a JSON list, or names separated by commas."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(f"not a JSON list ({error.msg} at character {error.pos})") from None
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def checked_host(host: str, written: str) -> str:
    """A host name or IP literal, lower-cased; ValueError naming the entry when it is neither."""
    host = host.lower()
    if host.startswith("["):
        ok = host.endswith("]") and len(host) > 2 and set(host[1:-1]) <= IPV6_CHARACTERS
    else:
        labels = host.split(".")
        ok = bool(host) and set(host) <= HOST_CHARACTERS and all(
            label and not label.startswith("-") and not label.endswith("-") for label in labels)
    if not ok:
        raise ValueError(f"{written!r}: {host!r} is not a host name or IP address")
    return host


def origin(entry: str) -> str:
    """An allowed-hosts entry (`host`, `host:port`, or an origin `https://host[:port]`) as an origin;
    ValueError naming the entry when it is anything else."""
    if entry.strip() == "*":
        raise ValueError("'*' would allow every Host; leave COMMIT_KG_ALLOWED_HOSTS unset to answer every "
                         "Host with the configured links")
    written = entry.strip()
    parts = urlsplit(written if "://" in written else f"http://{written}")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{written!r}: the scheme must be http or https")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{written!r}: give a host and port only (no path, query or user); a public URL "
                         "with a path is COMMIT_KG_BASE_URL")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{written!r}: the port is not a number from 0 to 65535") from None
    host = checked_host(parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc, written)
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def base_url(value: str | None) -> str | None:
    """COMMIT_KG_BASE_URL checked: an absolute http(s) URL, no query or fragment; no trailing slash."""
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http or https URL (e.g. https://kg.example.org/commit)")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{value!r}: a base URL has no query, fragment or user")
    origin(f"{parts.scheme}://{parts.netloc}")  # a host name and a port, as an allowed host is checked
    return value.strip().rstrip("/")


def authority(origin_: str) -> str:
    """`host[:port]` of an origin, as a Host header names it."""
    return origin_.split("://", 1)[1]


@dataclass(frozen=True)
class PublicOrigins:
    """The public base URL of each request, from the configuration alone."""

    configured: str | None  # COMMIT_KG_BASE_URL
    allowed: dict[str, str]  # Host header value (lower-case) -> the allowed origin it names
    listening: str  # http://{host}:{port}

    @classmethod
    def of(cls, base: str | None, allowed_hosts: list[str], host: str, port: int) -> PublicOrigins:
        shown = f"[{host}]" if ":" in host else host
        return cls(base, {authority(o): o for o in allowed_hosts}, f"http://{shown}:{port}")

    @property
    def default(self) -> str:
        """The base `serve` prints: the configured URL, else the first allowed host, else where it listens."""
        return self.configured or next(iter(self.allowed.values()), self.listening)

    def base_for(self, host: str | None) -> str | None:
        """The base URL (no trailing slash) for a request naming `host`; None when the service is
        configured with allowed hosts and `host` is not one of them."""
        if self.allowed:
            found = self.allowed.get((host or "").strip().lower())
            return None if found is None else self.configured or found
        return self.configured or self.listening

    @property
    def hosts(self) -> list[str]:
        return list(self.allowed)
