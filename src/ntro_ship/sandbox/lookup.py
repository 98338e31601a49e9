"""Find rows by id or by their human key (slug, name, version number)."""

from __future__ import annotations

from ntro_ship.sandbox.errors import ApiError, not_found
from ntro_ship.sandbox.store import Row, Store


def tenant(store: Store, key: str) -> Row:
    row = store.one("SELECT * FROM tenants WHERE id = ? OR slug = ?", (key, key))
    if row is None:
        raise not_found("tenant", key)
    return row


def entity_in(store: Store, tenant_id: str, key: str) -> Row:
    row = store.one(
        "SELECT * FROM entities WHERE tenant_id = ? AND (id = ? OR slug = ?)",
        (tenant_id, key, key),
    )
    if row is None:
        raise not_found("entity", key)
    return row


def entity_anywhere(store: Store, key: str) -> Row:
    """By id, or by a slug that only one tenant uses."""
    rows = store.all(
        "SELECT e.*, t.slug AS tenant_slug FROM entities e "
        "JOIN tenants t ON t.id = e.tenant_id WHERE e.id = ? OR e.slug = ?",
        (key, key),
    )
    exact = [r for r in rows if r["id"] == key]
    if exact:
        return exact[0]
    if not rows:
        raise not_found("entity", key)
    if len(rows) > 1:
        tenants = ", ".join(sorted(r["tenant_slug"] for r in rows))
        raise ApiError(
            422,
            f"entity slug '{key}' exists in several tenants ({tenants}); "
            "pass the entity id instead",
        )
    return rows[0]


def workflow(store: Store, key: str) -> Row:
    row = store.one("SELECT * FROM workflows WHERE id = ? OR name = ?", (key, key))
    if row is None:
        raise not_found("workflow", key)
    return row


def version(store: Store, workflow_row: Row, key: str) -> Row:
    row = store.one("SELECT * FROM versions WHERE id = ?", (key,))
    if row is None and key.isdigit():
        row = store.one(
            "SELECT * FROM versions WHERE workflow_id = ? AND number = ?",
            (workflow_row["id"], int(key)),
        )
    if row is None:
        raise ApiError(
            404, f"version '{key}' of workflow '{workflow_row['name']}' not found"
        )
    if row["workflow_id"] != workflow_row["id"]:
        raise ApiError(
            422,
            f"version '{key}' belongs to another workflow, "
            f"not '{workflow_row['name']}'",
        )
    return row
