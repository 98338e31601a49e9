"""Progress lines on stderr, one per step, each with the time since start."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from ntro_ship import github


class Progress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, stage: str, message: str) -> None:
        if self.quiet:
            return
        self.stream.write(f"[{self.elapsed():7.1f}s] {stage}: {message}\n")
        self.stream.flush()

    def problem(self, stage: str, message: str, *, level: str = "error") -> None:
        self.step(stage, message)
        github.annotation(level, message, title=f"ntro-ship {stage}")

    @contextlib.contextmanager
    def stage(self, title: str) -> Iterator[None]:
        with github.group(f"ntro-ship: {title}"):
            yield
