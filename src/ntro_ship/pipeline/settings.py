"""What a pipeline command was asked to do, before anything is opened."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ntro_ship.pipeline.policy import Policy


@dataclasses.dataclass(frozen=True)
class Settings:
    connection: str | None
    host: str | None
    record: Path
    as_json: bool = False
    policy: Policy = dataclasses.field(default_factory=Policy)
    debug: bool = False
