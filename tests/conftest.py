"""Fixtures shared by more than one test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ntro_ship.sandbox import Sandbox, SandboxConfig


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A live sandbox on a free loopback port, answering without delays.

    A folder whose tests need seeded tenants or entities overrides it in its
    own conftest.py (tests/pipeline does).
    """
    config = SandboxConfig(deploy_delay=0, run_delay=0)
    with Sandbox(data_dir=tmp_path / "sandbox", config=config) as running:
        yield running
