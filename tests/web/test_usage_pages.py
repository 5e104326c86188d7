"""Usage and compensation pages: each signed-in party sees its own lines, the CSV downloads
read back and add up, and bad input is shown on the form."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Share
from consentry.store import accounts, catalogue, parties
from tests.store.test_usage import take
from tests.web.test_pages import PASSWORD
from tests.web.test_staff_pages import log_in

MARCH = "from=2026-03-01&to=2026-03-31"
POOL = f"pool=100000&currency=EUR&{MARCH}"


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    """Ada's solo track, Ada and Bo's duet (70/30), Cy's track on a label; Acme takes the
    three, then the duet again: four units, so 250, 500 and 250 euros of a 1,000 pool."""
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        bo = accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo Beat", Role.ARTIST)
        cy = parties.create_artist(conn, "Cy Clone").id
        label = parties.create_rights_holder(conn, "Label One").id
        accounts.create_user(conn, "staff@label.example", PASSWORD, "Staff",
                             Role.RIGHTS_HOLDER, rights_holder_id=label)
        accounts.create_user(conn, "root@platform.example", PASSWORD, "Root", Role.ADMIN)
        solo = catalogue.create_track(conn, "Solo Song", ada.artist_id).id  # type: ignore[arg-type]
        duet = catalogue.create_track(conn, "Duet Song", ada.artist_id, [  # type: ignore[arg-type]
            Share(ada.artist_id, 7000), Share(bo.artist_id, 3000)],  # type: ignore[arg-type]
            accepted=(ada.artist_id, bo.artist_id)).id  # type: ignore[arg-type]
        signed = catalogue.create_track(conn, "Signed Song", cy, rights_holder_id=label).id
        acme = parties.create_consumer(conn, "Acme", frozenset({"train-generative"})).id
        take(conn, acme, datetime(2026, 3, 2, tzinfo=UTC), [solo, duet, signed])
        take(conn, acme, datetime(2026, 3, 20, tzinfo=UTC), [duet])
        take(conn, acme, datetime(2026, 4, 2, tzinfo=UTC), [solo])  # another month
    return {"ada": ada.artist_id, "bo": bo.artist_id, "cy": cy, "label": label,  # type: ignore[dict-item]
            "acme": acme}


def _csv(client: TestClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


def test_an_artist_sees_the_uses_and_parts_of_their_own_tracks(
        client: TestClient, world: dict[str, int]) -> None:
    log_in(client, "ada@example.org")
    assert 'href="/usage"' in client.get("/me").text
    page = client.get(f"/usage?{MARCH}")
    assert page.status_code == 200
    assert "3 uses" in page.text and "Solo Song" in page.text and "Acme" in page.text
    assert "Signed Song" not in page.text
    # asking for someone else changes nothing: an artist's statement is their own
    assert client.get(f"/usage?{MARCH}&artist_id={world['bo']}").text.count("Duet Song") == 2
    rows = _csv(client, f"/usage.csv?{MARCH}")
    assert [r["track"] for r in rows] == ["Solo Song", "Duet Song", "Duet Song"]

    mine = client.get(f"/usage/compensation?{POOL}")
    assert "€600.00" in mine.text  # 250 for Solo, 70 % of 500 for the duet
    assert "Bo Beat" not in mine.text and "Cy Clone" not in mine.text
    assert sum(int(r["amount"]) for r in _csv(client, f"/usage/compensation.csv?{POOL}")) == 60_000


@pytest.mark.slow
def test_a_co_owner_and_a_label_see_only_their_lines(
        client: TestClient, world: dict[str, int]) -> None:
    log_in(client, "bo@example.org")
    page = client.get(f"/usage?{MARCH}")
    assert "2 uses" in page.text and "Solo Song" not in page.text
    rows = _csv(client, f"/usage/compensation.csv?{POOL}")
    assert [(r["track"], r["basis_points"], r["amount"]) for r in rows] == [
        ("Duet Song", "3000", "15000")]
    assert "Ada" not in client.get(f"/usage/compensation?{POOL}").text

    log_in(client, "staff@label.example")
    assert "1 use from" in client.get(f"/usage?{MARCH}").text
    rows = _csv(client, f"/usage/compensation.csv?{POOL}")
    assert [(r["track"], r["amount"], r["artist_id"]) for r in rows] == [
        ("Signed Song", "25000", "")]


def test_an_admin_sees_the_whole_pool(client: TestClient, world: dict[str, int]) -> None:
    log_in(client, "root@platform.example")
    rows = _csv(client, f"/usage/compensation.csv?{POOL}")
    assert sum(int(r["amount"]) for r in rows) == 100_000
    page = client.get(f"/usage/compensation?{POOL}")
    for text in ("Per artist", "Bo Beat", "€150.00", "Cy Clone", "Label One", "€1,000.00"):
        assert text in page.text, text
    assert "4 uses" in client.get(f"/usage?{MARCH}").text
    assert "2 uses" in client.get(f"/usage?{MARCH}&artist_id={world['bo']}").text
    assert "5 uses" in client.get("/usage?from=2026-01-01&to=2026-12-31").text
    only = client.get(f"/usage/compensation?{POOL}&rights_holder_id={world['label']}")
    assert "Signed Song" in only.text and "Solo Song" not in only.text
    german = client.get(f"/usage/compensation?{POOL}&lang=de")
    assert "1.000,00" in german.text


@pytest.mark.parametrize(("query", "says"), [
    ("pool=100&currency=EUR&from=2026-03-31&to=2026-03-01", "after it ends"),
    ("pool=-100&currency=EUR&from=2026-03-01&to=2026-03-31", "cannot be negative"),
    ("pool=100&currency=EURO&from=2026-03-01&to=2026-03-31", "ISO 4217"),
    ("pool=1e9&currency=EUR&from=2026-03-01&to=2026-03-31", "whole number"),
    ("pool=100&currency=EUR&from=March&to=2026-03-31", "not a date"),
])
@pytest.mark.slow
def test_bad_input_is_shown_on_the_form(client: TestClient, world: dict[str, int],
                                        query: str, says: str) -> None:
    log_in(client, "ada@example.org")
    page = client.get(f"/usage/compensation?{query}")
    assert page.status_code == 200 and says in page.text
    assert 'role="alert"' in page.text


def test_the_pages_need_an_account(client: TestClient, world: dict[str, int]) -> None:
    for path in ("/usage", "/usage.csv", "/usage/compensation",
                 f"/usage/compensation.csv?{POOL}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/login" in response.headers["location"], path
    log_in(client, "ada@example.org")
    assert "after it ends" in client.get("/usage?from=2026-03-02&to=2026-03-01").text


FORMULA = '=HYPERLINK("http://x","y")'


def test_downloads_open_in_a_spreadsheet_as_text_not_formulas(
        client: TestClient, engine: Engine, world: dict[str, int]) -> None:
    """A title or a name that a spreadsheet would run is written with a leading quote; the
    amounts stay numbers."""
    with engine.begin() as conn:
        track = catalogue.create_track(conn, FORMULA, world["ada"]).id
        evil = parties.create_consumer(conn, "@SUM(1+1)", frozenset({"train-generative"})).id
        take(conn, evil, datetime(2026, 3, 5, tzinfo=UTC), [track])
    log_in(client, "root@platform.example")
    uses = _csv(client, f"/usage.csv?{MARCH}")
    mine = [r for r in uses if r["track_id"] == str(track)]
    assert [(r["track"], r["consumer"]) for r in mine] == [("'" + FORMULA, "'@SUM(1+1)")]
    lines = _csv(client, f"/usage/compensation.csv?{POOL}")
    assert {r["track"] for r in lines if r["track_id"] == str(track)} == {"'" + FORMULA}
    assert sum(int(r["amount"]) for r in lines) == 100_000
