"""Liveness and readiness as an orchestrator probes them: /healthz never touches the database,
/readyz fails (503, naming the check) until the database, schema and index are all there."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from consentry.store.catalogue_index import CatalogueIndex


def test_healthz_answers_without_the_database(client: TestClient) -> None:
    app = client.app
    engine = app.state.engine  # type: ignore[attr-defined]
    app.state.engine = create_engine("sqlite:////nonexistent/dir/consentry.db")  # type: ignore[attr-defined]
    try:
        response = client.get("/healthz")
    finally:
        app.state.engine = engine  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_is_ready_once_started(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "fingerprint_index": "ok"},
    }


def test_readyz_names_an_unreachable_database(client: TestClient) -> None:
    app = client.app
    engine = app.state.engine  # type: ignore[attr-defined]
    app.state.engine = create_engine("sqlite:////nonexistent/dir/consentry.db")  # type: ignore[attr-defined]
    try:
        response = client.get("/readyz")
    finally:
        app.state.engine = engine  # type: ignore[attr-defined]
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "not_ready" and "database" in body["detail"]
    assert body["checks"]["database"].startswith("unreachable")


def test_readyz_names_a_schema_behind_the_code(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "consentry init" in response.json()["checks"]["migrations"]


def test_readyz_waits_for_the_fingerprint_index(client: TestClient) -> None:
    app = client.app
    index = app.state.catalogue_index  # type: ignore[attr-defined]
    app.state.catalogue_index = CatalogueIndex()  # type: ignore[attr-defined]
    try:
        response = client.get("/readyz")
    finally:
        app.state.catalogue_index = index  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert response.json()["checks"]["fingerprint_index"] == "loading"


def test_both_are_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "200" in paths["/healthz"]["get"]["responses"]
    assert {"200", "503"} <= set(paths["/readyz"]["get"]["responses"])
