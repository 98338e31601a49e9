"""Running the action with act on this host, offline: shared by the action's
tests (tests/action) and its overhead benchmark (benchmarks/action_overhead.py).

Both run a copy of the action as a release tag would hold it, under the
`uses:` reference the example workflows pin, with act's own cache server and
network fetches off.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTION_REF = "ntropii-com/ntro-ship@v0.1.0"
# What a release of the action holds; the rest of the checkout stays behind.
ACTION_FILES = ("action.yml", "pyproject.toml", "README.md", "src")


def copy_action(target: Path) -> Path:
    """Copy the action into `target`, without virtualenvs and byte-code."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ACTION_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                target / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy2(source, target / name)
    return target


def act_command(act: str, event: str, cache: Path, action: Path) -> list[str]:
    """act for `event` on this host (no Docker), with the action from `action`."""
    return [
        act,
        event,
        "--platform",
        "ubuntu-latest=-self-hosted",
        "--json",
        "--no-cache-server",
        "--action-offline-mode",
        "--action-cache-path",
        str(cache),
        "--local-repository",
        f"{ACTION_REF}={action}",
    ]
