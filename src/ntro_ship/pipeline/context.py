"""What every stage works with: the platform, the record, the policy, the output."""

from __future__ import annotations

import dataclasses

from ntro_ship.pipeline.policy import Policy
from ntro_ship.pipeline.progress import Progress
from ntro_ship.pipeline.record import Record
from ntro_ship.platform import Platform


@dataclasses.dataclass
class Context:
    platform: Platform
    record: Record
    policy: Policy
    progress: Progress
    host: str = ""
