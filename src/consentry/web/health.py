"""Health for an orchestrator: ``/healthz`` says the process answers (it touches nothing, so a
busy database never gets a live server restarted), ``/readyz`` says it can serve: the database
answers, its schema is the code's, and the fingerprint index is in memory."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from consentry import __version__
from consentry.store.migrate import current_revision
from consentry.web.errors import ErrorOut, error_body

logger = logging.getLogger("consentry.web")
router = APIRouter(tags=["operations"])


class HealthOut(BaseModel):
    status: str = Field(description="Always ``ok``: the process is up")
    version: str


class ReadyOut(BaseModel):
    status: str = Field(description="``ready``")
    checks: dict[str, str] = Field(
        description="Each check (database, migrations, fingerprint_index) and ``ok``"
    )


@router.get("/healthz", response_model=HealthOut, summary="The process is up (liveness)")
def healthz() -> dict[str, str]:
    """Answers without touching the database: a liveness probe must not fail because a
    dependency is slow, or the orchestrator restarts a server that would have recovered."""
    return {"status": "ok", "version": __version__}


@router.get(
    "/readyz",
    response_model=ReadyOut,
    summary="Ready to serve (readiness)",
    responses={
        503: {
            "model": ErrorOut,
            "description": "A check failed: ``checks`` says which and why (error ``not_ready``)",
        }
    },
)
def readyz(request: Request) -> Any:
    """200 once the database answers at the code's schema revision and the fingerprint index
    is loaded; 503 with the failing check otherwise, so traffic waits instead of failing."""
    checks = readiness_checks(request)
    if all(result == "ok" for result in checks.values()):
        return {"status": "ready", "checks": checks}
    failed = ", ".join(f"{name}: {result}" for name, result in checks.items() if result != "ok")
    return JSONResponse(error_body("not_ready", f"not ready ({failed})", {"checks": checks}), 503)


def readiness_checks(request: Request) -> dict[str, str]:
    state = request.app.state
    checks = {"database": "ok", "migrations": "ok", "fingerprint_index": "ok"}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(state.engine)
        if revision != state.schema_head:
            checks["migrations"] = (
                f"schema revision {revision or 'none'}, the code needs "
                f"{state.schema_head}: run 'consentry init'"
            )
    except Exception as error:  # any failure to reach the database is the answer
        logger.warning("readiness: the database is not reachable: %s", error)
        checks["database"] = f"unreachable: {type(error).__name__}"
        checks["migrations"] = "unknown"
    if not state.catalogue_index.loaded:
        checks["fingerprint_index"] = "loading"
    return checks
