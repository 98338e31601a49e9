"""Connection settings resolve the way the ntro CLI's do, minus defect D9."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro_ship.errors import ConfigError
from ntro_ship.platform.config import resolve_connection

CONFIG = """
default_connection_name = "ci"
[connections.ci]
host = "https://ci.example/v1"
api_key = "key-ci"
[connections.local]
host = "http://localhost:3000/v1"
api_key = "ntro_dev_key"
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(CONFIG)
    return tmp_path


CI = ("ci", "https://ci.example/v1", "key-ci")
LOCAL = ("local", "http://localhost:3000/v1", "ntro_dev_key")
HOST_ENV = {"NTRO_HOST": "http://h/v1", "NTRO_API_KEY": "env-key"}


@pytest.mark.parametrize(
    ("connection", "host", "env", "expected"),
    [
        pytest.param(None, None, {}, CI, id="default"),
        pytest.param("local", None, {}, LOCAL, id="flag"),
        pytest.param(
            None, None, {"NTRO_DEFAULT_CONNECTION_NAME": "local"}, LOCAL, id="env-name"
        ),
        pytest.param(
            None, "http://h/v1", {}, ("ci", "http://h/v1", "key-ci"), id="host-flag"
        ),
        pytest.param(
            None,
            None,
            HOST_ENV,
            ("ci", "http://h/v1", "env-key"),
            id="host-and-key-env",
        ),
        pytest.param(
            None,
            None,
            {"NTRO_API_KEY": "env-key"},
            ("ci", "https://ci.example/v1", "env-key"),
            id="api-key-env-wins",
        ),
    ],
)
def test_resolution_order(
    home: Path,
    connection: str | None,
    host: str | None,
    env: dict[str, str],
    expected: tuple[str, str, str],
) -> None:
    resolved = resolve_connection(connection, host, {"NTRO_HOME": str(home), **env})

    assert (resolved.name, resolved.host, resolved.api_key) == expected


def test_no_config_file_behaves_like_the_sdk_production_default(tmp_path: Path) -> None:
    resolved = resolve_connection(None, None, {"NTRO_HOME": str(tmp_path)})

    assert (resolved.name, resolved.host, resolved.api_key) == (
        "production",
        "https://api.ntropii.com/v1",
        "",
    )


def test_host_and_key_from_env_need_no_config_file(tmp_path: Path) -> None:
    env = {"NTRO_HOME": str(tmp_path), "NTRO_HOST": "http://h/v1", "NTRO_API_KEY": "k"}

    resolved = resolve_connection("ci", None, env)

    assert (resolved.host, resolved.api_key) == ("http://h/v1", "k")


def test_unknown_connection_names_the_available_ones(home: Path) -> None:
    with pytest.raises(ConfigError, match=r"'nope' not found .*available: ci, local"):
        resolve_connection("nope", None, {"NTRO_HOME": str(home)})


def test_key_never_appears_in_repr(home: Path) -> None:
    resolved = resolve_connection(None, None, {"NTRO_HOME": str(home)})

    assert "key-ci" not in repr(resolved)


@pytest.mark.parametrize(
    ("env", "source"),
    [
        pytest.param({"NTRO_API_KEY": "env-key"}, "NTRO_API_KEY", id="environment"),
        pytest.param({}, "the api_key of connection 'ci' in {home}", id="file"),
        pytest.param({"NTRO_DEFAULT_CONNECTION_NAME": "bare"}, "nowhere", id="no-key"),
    ],
)
def test_the_key_source_is_named_never_the_key(
    home: Path, env: dict[str, str], source: str
) -> None:
    (home / "config.toml").write_text(
        CONFIG + '[connections.bare]\nhost = "http://b/v1"\n'
    )

    resolved = resolve_connection(None, None, {"NTRO_HOME": str(home), **env})

    assert resolved.key_source == source.format(home=home / "config.toml")
    assert "env-key" not in repr(resolved)
    assert "key-ci" not in repr(resolved)


@pytest.mark.parametrize(
    "host", ["http://u:ntro_URLSECRET@h/v1", "https://ntro_URLSECRET@h/v1"]
)
def test_credentials_in_the_host_url_are_refused_without_echoing_them(
    tmp_path: Path, host: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_connection(None, host, {"NTRO_HOME": str(tmp_path)})

    assert "set NTRO_API_KEY instead" in str(raised.value)
    assert "URLSECRET" not in str(raised.value)
