"""Sandbox under load: N clients polling one task's status on loopback.

The sandbox runs as its own process (`ntro-ship sandbox serve --port 0`), as
a pipeline or the `ntro` CLI would meet it; each client is an asyncio task
with its own keep-alive connection, polling `GET /v1/workspace/tasks/{id}`
back to back. Prints requests per second and p50/p99 latency per client
count. No peers: nothing else serves this API.

    python -m benchmarks sandbox_load          (1, 10, 50 clients, 3 s each)
    python -m benchmarks.sandbox_load --clients 1,10,50 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

KEY = {"Authorization": "Bearer ntro_dev_key"}
RUNBOOK = {
    "runbook.md": "---\nslug: load\nsteps: [collect, compute, publish]\n---\n",
    "requirements.txt": "ntro[workflow]==0.1.2\n",
    "templates/workflow.py": "from ntro.workflow import runbook\n",
}


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = data / "ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(data / "db"), "--ready-file", str(ready)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the sandbox did not start")
        time.sleep(0.05)
    return process, ready.read_text().strip()


def make_task(url: str) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in RUNBOOK.items():
            archive.writestr(name, text)

    with httpx.Client(base_url=url, headers=KEY) as client:
        client.put(
            url.removesuffix("/v1") + "/_sandbox/delays", json={"deploy_delay": 0}
        )
        client.post("/workspace/registry/workflows", json={"name": "load"})
        version = client.post(
            "/workspace/registry/workflows/load/versions",
            content=buffer.getvalue(),
            headers={"Content-Type": "application/octet-stream"},
        ).json()
        client.post(
            "/workspace/registry/deployments",
            json={"workflowId": "load", "workflowVersionId": version["id"],
                  "tenantId": "staging"},
        )  # fmt: skip
        task = client.post(
            "/workspace/tasks", json={"tenantId": "staging", "workflowId": "load"}
        ).json()
    return str(task["id"])


async def poll(
    client: httpx.AsyncClient, path: str, until: float, latencies: list[float]
) -> int:
    errors = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        response = await client.get(path)
        latencies.append(time.perf_counter() - started)
        errors += response.status_code != 200
    return errors


async def load(url: str, task_id: str, clients: int, seconds: float) -> str:
    path = f"/workspace/tasks/{task_id}"
    # Clients are built and connected before the clock starts: building one
    # costs milliseconds of CPU (TLS context) that would stall the others.
    pool = [
        httpx.AsyncClient(base_url=url, headers=KEY, timeout=30) for _ in range(clients)
    ]
    try:
        await asyncio.gather(*(client.get(path) for client in pool))
        latencies: list[float] = []
        started = time.perf_counter()
        until = started + seconds
        errors = await asyncio.gather(*(poll(c, path, until, latencies) for c in pool))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in pool))

    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"{clients:>7}  {len(latencies) / elapsed:>8.0f}  "
        f"{cuts[49] * 1000:>8.2f}  {cuts[98] * 1000:>8.2f}  {sum(errors):>6}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sandbox_load")
    parser.add_argument("--clients", default="1,10,50", help="comma-separated counts")
    parser.add_argument("--seconds", type=float, default=3.0, help="per client count")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.clients.split(",")]

    with tempfile.TemporaryDirectory(prefix="sandbox-load-") as scratch:
        process, url = start_server(Path(scratch))
        try:
            task_id = make_task(url)
            print("clients     req/s  p50 (ms)  p99 (ms)  errors")
            for clients in counts:
                print(
                    asyncio.run(load(url, task_id, clients, args.seconds)), flush=True
                )
        finally:
            process.terminate()
            process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
