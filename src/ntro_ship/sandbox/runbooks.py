"""Generation 3: the synchronous runbook deploy (`POST /runbooks/{slug}/deploy`).

There is no version registry and no deployment id in this generation: the
files go straight to the tenant's worker. The sandbox records each successful
deploy so that a task for a workflow bound to that runbook runs the newest
one deployed on the task's tenant (or the pinned version).
"""

from __future__ import annotations

import hashlib
import json
import uuid

import anyio.to_thread
import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ntro_ship.sandbox import clock, lookup, tenant_checks
from ntro_ship.sandbox.errors import ApiError
from ntro_ship.sandbox.faults import DEPLOY_KINDS
from ntro_ship.sandbox.web import Model, read_json, reply, runtime


class RunbookDeploy(Model):
    tenantSlug: str
    version: str
    workflowClass: str
    files: dict[str, str]
    activityModules: list[str] = pydantic.Field(default_factory=list)


async def deploy_runbook(request: Request) -> JSONResponse:
    rt = runtime(request)
    slug = request.path_params["slug"]
    body = await read_json(request, RunbookDeploy)
    tenant = lookup.tenant(rt.store, body.tenantSlug)

    problem = await anyio.to_thread.run_sync(
        tenant_checks.check_files, body.files, slug, body.version
    )
    fault = rt.faults.take_for_target(
        DEPLOY_KINDS,
        {
            "tenant": {tenant["id"], tenant["slug"]},
            "workflow": {slug},
            "version": {body.version},
        },
    )
    if problem is None and fault is not None:
        problem = (
            fault.spec.message
            or "the worker could not install it (failure injected by the sandbox)"
        )
    if problem is not None:
        raise ApiError(
            422,
            f"deploy of {slug}@{body.version} to tenant '{tenant['slug']}' "
            f"failed: {problem}",
        )

    bundle = json.dumps(body.files, sort_keys=True).encode()
    digest = hashlib.sha256(bundle).hexdigest()
    await anyio.to_thread.run_sync(rt.store.put_blob, bundle)
    markers = [text for name, text in body.files.items() if name.endswith("runbook.md")]
    steps = (
        tenant_checks.steps_from_text(markers[0])
        if markers
        else list(tenant_checks.DEFAULT_STEPS)
    )
    deploy_id = str(uuid.uuid4())
    with rt.store.transaction() as db:
        db.execute(
            "INSERT INTO runbook_deploys VALUES (?,?,?,?,?,?,?,?)",
            (
                deploy_id,
                slug,
                body.version,
                tenant["id"],
                body.workflowClass,
                digest,
                json.dumps(steps),
                clock.now(),
            ),
        )

    return reply(
        {
            "workflowId": f"ntro-ops-deploy-{deploy_id}",
            "taskQueue": f"{tenant['slug']}-runbooks",
            "runbook": slug,
            "version": body.version,
            "result": {
                "status": "DEPLOYED",
                "sha256": digest,
                "tenantId": tenant["id"],
            },
        },
        201,
    )


ROUTES = [Route("/runbooks/{slug}/deploy", deploy_runbook, methods=["POST"])]
