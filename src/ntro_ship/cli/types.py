"""Option types shared by the subcommands."""

from __future__ import annotations

import math
from typing import Any

import click

# A week: longer than any wait a release needs, short enough for the
# socket and clock calls underneath (they overflow on numbers like 1e308).
MAX_SECONDS = 7 * 24 * 3600.0


class Seconds(click.FloatRange):
    """A duration in seconds: finite, above `minimum`, at most a week."""

    name = "number of seconds"

    def __init__(self, minimum: float = 0.0) -> None:
        super().__init__(min=minimum, max=MAX_SECONDS, min_open=minimum == 0)

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        seconds = super().convert(value, param, ctx)
        # The range check lets NaN through: every comparison with it is false.
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds
