"""The web layer's answer to a store that cannot take a write: 507 or 503, the one error body,
nothing stored; reads go on (in-process, with SQLite's own page limit as the full disk; the
real full disk and read-only mount are in tests/faults/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from consentry.settings import Settings
from consentry.web.app import create_app
from tests.web.conftest import World


@pytest.fixture
def full_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as client:
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        engine.dispose()
        event.listen(
            engine, "connect", lambda conn, _: conn.execute(f"PRAGMA max_page_count={pages}")
        )
        yield client


# SQLite's page limit stands in for a full disk (PostgreSQL's: tests/faults).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_database_answers_507(full_client: TestClient, world: World) -> None:
    artist = world.headers("artist_a")
    body = {"purpose": "train-generative", "choice": "allow", "track_id": world.track_a}
    responses = [full_client.post("/v1/consent", headers=artist, json=body) for _ in range(50)]
    refused = responses[-1]
    assert refused.status_code == 507, refused.text
    assert refused.json()["error"] == "storage_full"
    decision = full_client.get(
        f"/v1/tracks/{world.track_a}/decision",
        params={"purpose": "train-generative"},
        headers=artist,
    )
    assert decision.status_code == 200
