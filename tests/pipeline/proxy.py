"""A real HTTP proxy in front of the sandbox that spoils chosen answers.

The sandbox injects transport faults itself; what it cannot do is answer
with a malformed body or a status value the client has never heard of, so
this proxy rewrites the next matching response.
"""

from __future__ import annotations

import fnmatch
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Spoiler:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def spoil(self, match: str, how: str) -> None:
        """`how` is "malformed" or "unknown status"; used once."""
        with self.lock:
            self.rules.append((match, how))

    def take(self, method: str, path: str) -> str | None:
        with self.lock:
            for index, (match, how) in enumerate(self.rules):
                want_method, _, pattern = match.partition(" ")
                if want_method == method and fnmatch.fnmatchcase(path, pattern):
                    del self.rules[index]
                    return how
        return None


def _handler(spoiler: Spoiler) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
            }
            upstream = httpx.request(
                self.command,
                spoiler.upstream + self.path.removeprefix("/v1"),
                content=body,
                headers=headers,
            )
            content = upstream.content
            how = spoiler.take(self.command, self.path.split("?")[0])
            if how == "malformed":
                content = b"<html>502 Bad Gateway</html>"
            elif how == "unknown status":
                document = json.loads(content)
                document["status"] = "EXPLODED"
                content = json.dumps(document).encode()
            self.send_response(upstream.status_code)
            for key, value in upstream.headers.items():
                if key.lower() not in HOP_BY_HOP | {"content-encoding"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PATCH = _forward

    return Handler


@contextmanager
def spoiling_proxy(upstream: str) -> Iterator[tuple[str, Spoiler]]:
    spoiler = Spoiler(upstream)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(spoiler))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", spoiler
    finally:
        server.shutdown()
        server.server_close()
