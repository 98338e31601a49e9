"""Connection settings, read the way the `ntro` CLI reads them.

`~/.ntro/config.toml` (or `$NTRO_HOME/config.toml`) holds named connections;
`-c/--connection` or `NTRO_DEFAULT_CONNECTION_NAME` picks one, else the file's
`default_connection_name`. `--host`/`NTRO_HOST` overrides the host and, unlike
the published CLI (defect D9), `NTRO_API_KEY` still applies with it.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ntro_ship.errors import ConfigError

DEFAULT_HOST = "https://api.ntropii.com/v1"
DEFAULT_CONNECTION = "production"


@dataclasses.dataclass(frozen=True)
class Connection:
    name: str
    host: str
    # repr=False keeps the key out of tracebacks and debug prints.
    api_key: str = dataclasses.field(default="", repr=False)
    # Where the key was read from, for messages; never the key itself.
    key_source: str = "nowhere"

    @property
    def base_url(self) -> str:
        return self.host.rstrip("/")


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    home = env.get("NTRO_HOME")
    return Path(home) / "config.toml" if home else Path.home() / ".ntro/config.toml"


def _read_config(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML: {exc}") from exc


def resolve_connection(
    connection: str | None = None,
    host: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Connection:
    """The host and key to use, flags first, then environment, then the file."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    config = _read_config(path)
    name = (
        connection
        or env.get("NTRO_DEFAULT_CONNECTION_NAME")
        or (config or {}).get("default_connection_name")
        or DEFAULT_CONNECTION
    )

    connections = (config or {}).get("connections") or {}
    entry = connections.get(name)
    host_override = host or env.get("NTRO_HOST")
    # Without a file the SDK pretends `production` exists; with a host
    # override the connection only matters for its key, which may come
    # from NTRO_API_KEY instead.
    missing = entry is None and not host_override
    if missing and (config is not None or name != DEFAULT_CONNECTION):
        available = ", ".join(sorted(connections)) or "none"
        raise ConfigError(
            f"connection {name!r} not found in {path} (available: {available}); "
            "add it with `ntro auth login --name NAME --host URL` or pass --host"
        )
    entry = entry or {}

    chosen_host = host_override or entry.get("host") or DEFAULT_HOST
    api_key = env.get("NTRO_API_KEY") or entry.get("api_key") or ""
    if env.get("NTRO_API_KEY"):
        key_source = "NTRO_API_KEY"
    elif api_key:
        key_source = f"the api_key of connection {name!r} in {path}"
    else:
        key_source = "nowhere"
    if not str(chosen_host).startswith(("http://", "https://")):
        raise ConfigError(
            f"host {chosen_host!r} is not an http(s) URL; "
            "pass e.g. --host http://localhost:3000/v1"
        )
    if urlsplit(str(chosen_host)).username is not None:
        # Not echoed: the part before @ is usually a secret.
        raise ConfigError(
            "the host URL holds a user name or password (user:secret@...); "
            "ntro-ship sends the key as a bearer token, so take it out of the "
            "URL and set NTRO_API_KEY instead"
        )
    return Connection(
        name=str(name),
        host=str(chosen_host),
        api_key=str(api_key),
        key_source=key_source,
    )
