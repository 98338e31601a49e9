"""A small page per task: the target of `links.workflow_ui`.

The real platform links a task to its tenant UI; the sandbox serves enough to
click through from a pipeline summary and see the status and steps.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ntro_ship.sandbox import clock, shapes
from ntro_ship.sandbox.web import runtime


async def task_page(request: Request) -> HTMLResponse:
    """A tiny stand-in for the tenant UI that `links.workflow_ui` points to."""
    store = runtime(request).store
    row = store.one("SELECT * FROM tasks WHERE id = ?", (request.path_params["task"],))
    if row is None:
        return HTMLResponse("<h1>Task not found</h1>", status_code=404)

    task = shapes.task(row, clock.now(), str(request.base_url))
    items = "".join(
        f"<li>{html.escape(s['name'])}: <b>{s['status']}</b></li>"
        for s in task["steps"]
    )
    failure = task["failure"] or {}
    detail = (
        html.escape(f"{failure.get('type')}: {failure.get('message')}")
        if failure
        else ""
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(task['title'])}</title></head><body>"
        f"<h1>{html.escape(task['title'])}</h1><p>Status: <b>{task['status']}</b></p>"
        f"<p>Version {html.escape(task['workflowVersion'])}</p><ol>{items}</ol>"
        f"<p>{detail}</p><p><small>ntro-ship sandbox</small></p></body></html>"
    )
    return HTMLResponse(page)


UI_ROUTES = [Route("/tasks/{task}", task_page, methods=["GET"])]
