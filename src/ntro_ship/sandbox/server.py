"""Running the sandbox: in a background thread (`Sandbox`) or in the foreground.

Both bind the listening socket themselves before uvicorn starts, so port 0
yields a free port whose number is known before the first request, and both
give uvicorn a short graceful-shutdown window so that a request held by a
hang fault cannot keep the process alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
import sqlite3
import threading
from collections.abc import Callable, Generator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import uvicorn

from ntro_ship.errors import UsageError
from ntro_ship.sandbox.app import create_app, initial_faults
from ntro_ship.sandbox.config import SandboxConfig, check_seconds
from ntro_ship.sandbox.middleware import DroppedResponseFilter
from ntro_ship.sandbox.web import Runtime

GRACEFUL_SHUTDOWN_SECONDS = 1
START_TIMEOUT_SECONDS = 30


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The explicit protocol matters: asyncio only turns Nagle off (TCP_NODELAY)
    # on sockets that say IPPROTO_TCP, and with Nagle on every keep-alive
    # answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use; stop what holds it "
                "or pass --port 0 to take a free port"
            ) from exc
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


def _uvicorn_config(
    app: Any, config: SandboxConfig, own_logging: bool
) -> uvicorn.Config:
    """`own_logging`: let uvicorn configure logging (the foreground server)."""
    settings = uvicorn.Config(
        app,
        lifespan="off",
        log_level="info" if config.access_log else "warning",
        access_log=config.access_log,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        log_config=uvicorn.config.LOGGING_CONFIG if own_logging else None,
    )
    # After uvicorn's own logging setup, which would otherwise replace it.
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, DroppedResponseFilter) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(DroppedResponseFilter())
    return settings


class Sandbox:
    """The sandbox on a free loopback port for the length of a `with` block."""

    def __init__(
        self,
        data_dir: Path,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.config = config or SandboxConfig()
        self.host, self.port = host, port
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._runtime: Runtime | None = None

    @property
    def api_key(self) -> str:
        return self.config.api_keys[0]

    def start(self) -> Sandbox:
        if self._thread is not None:
            raise RuntimeError("this Sandbox is already running")

        faults = initial_faults(self.config)
        app, self._runtime = create_app(self.data_dir, self.config, faults)
        sock = bind(self.host, self.port)
        self.url = base_url(sock)
        server = uvicorn.Server(_uvicorn_config(app, self.config, own_logging=False))
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])),
            name=f"ntro-sandbox {self.url}",
            daemon=True,
        )
        self._thread.start()
        for _ in range(START_TIMEOUT_SECONDS * 100):
            if server.started or not self._thread.is_alive():
                break
            self._thread.join(0.01)
        if not server.started:
            self.stop()
            raise RuntimeError(f"the sandbox did not start on {self.url}")
        return self

    def stop(self) -> None:
        if self._runtime is not None:
            self._runtime.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(GRACEFUL_SHUTDOWN_SECONDS + 10)
        if self._runtime is not None:
            self._runtime.store.close()
        self._server = self._thread = self._runtime = None

    def add_fault(self, fault: dict[str, Any]) -> dict[str, Any]:
        """Same body as POST /_sandbox/faults; returns the fault as listed."""
        assert self._runtime is not None, "start the Sandbox first"
        return self._runtime.faults.add(fault).describe()

    def clear_faults(self) -> None:
        assert self._runtime is not None, "start the Sandbox first"
        self._runtime.faults.clear()

    def set_delays(
        self, deploy_delay: float | None = None, run_delay: float | None = None
    ) -> None:
        assert self._runtime is not None, "start the Sandbox first"
        for name, value in (("deploy_delay", deploy_delay), ("run_delay", run_delay)):
            if value is not None:
                check_seconds(name, value)
        if deploy_delay is not None:
            self._runtime.deploy_delay = deploy_delay
        if run_delay is not None:
            self._runtime.run_delay = run_delay

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _ForegroundServer(uvicorn.Server):
    """Stops on SIGTERM or SIGINT and returns, instead of re-raising the signal."""

    def __init__(self, config: uvicorn.Config, stopping: threading.Event) -> None:
        super().__init__(config)
        self.stopping = stopping

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._stop) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        self.stopping.set()
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True


def serve(
    data_dir: Path,
    config: SandboxConfig,
    host: str,
    port: int,
    faults: list[object],
    announce: Callable[[str], None],
) -> None:
    """Serve until SIGTERM/SIGINT; `announce(url)` once connections are accepted."""
    try:
        fault_set = initial_faults(config, faults)
    except ValueError as exc:
        raise UsageError(f"{exc}; see docs/sandbox.md for the fault format") from exc

    sock = bind(host, port)
    url = base_url(sock)
    try:
        app, runtime = create_app(data_dir, config, fault_set)
    except (OSError, sqlite3.Error) as exc:
        sock.close()
        raise UsageError(
            f"cannot keep sandbox state in {data_dir}: {exc}; pass --data with a "
            "writable folder"
        ) from exc

    _show_faults_on_stderr()
    server = _ForegroundServer(
        _uvicorn_config(app, config, own_logging=True), runtime.stopping
    )

    async def run() -> None:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        if server.started:
            announce(url)
        await serving

    try:
        asyncio.run(run())
    finally:
        runtime.store.close()
        sock.close()


def _show_faults_on_stderr() -> None:
    """Fault hits and hung-up clients, one line each (the faults log is a child)."""
    sandbox_log = logging.getLogger("ntro_ship.sandbox")
    if not sandbox_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("ntro-ship sandbox: %(message)s"))
        sandbox_log.addHandler(handler)
        sandbox_log.setLevel(logging.INFO)


def write_ready_file(path: Path, url: str) -> None:
    """Atomically, so a watcher never reads half a URL."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(url + "\n", encoding="utf-8")
    partial.replace(path)
