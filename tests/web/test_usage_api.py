"""Usage and compensation statements over HTTP, from snapshots taken through the API: each
party reads its own, the CSV reads back and sums to the pool, and bad input is refused."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.store import catalogue
from consentry.timestamps import utcnow
from tests.store.test_usage import take
from tests.web.conftest import MISSING, World

POOL = 100_001


@pytest.fixture
def period(client: TestClient, world: World) -> str:
    """Both artists allow generative training by Acme, which takes two snapshots today: each
    holds tracks A, B, AB and Label Two's (Label One forbids generative training)."""
    for artist in ("artist_a", "artist_b"):
        for purpose in ("train-generative", "third-party-training:acme"):
            assert client.post("/v1/consent", headers=world.headers(artist),
                               json={"purpose": purpose, "choice": "allow"}).status_code == 201
    for _ in range(2):
        taken = client.post("/v1/datasets", headers=world.headers("third_party"),
                            json={"purpose": "train-generative"})
        assert taken.status_code == 201 and taken.json()["tracks"] == 4, taken.text
    today = utcnow().date().isoformat()
    return f"from={today}&to={today}"


def _uses(client: TestClient, world: World, role: str, query: str) -> list[tuple[int, int]]:
    response = client.get(f"/v1/usage/uses?{query}&limit=1000", headers=world.headers(role))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["uses"])
    return [(u["snapshot_id"], u["track_id"]) for u in body["uses"]]


def test_each_party_reads_the_uses_of_its_own_tracks(client: TestClient, world: World,
                                                     period: str) -> None:
    w = world
    tracks_of = {role: sorted({t for _, t in _uses(client, w, role, period)})
                 for role in ("admin", "artist_a", "artist_b", "holder_1", "holder_2",
                              "third_party", "internal")}
    assert tracks_of["artist_a"] == [w.track_a, w.track_ab]
    assert tracks_of["artist_b"] == [w.track_b, w.track_ab, w.track_l2]  # co-owned AB too
    assert tracks_of["holder_1"] == [] and tracks_of["holder_2"] == [w.track_l2]
    assert tracks_of["internal"] == []
    assert tracks_of["admin"] == tracks_of["third_party"] == sorted(
        [w.track_a, w.track_b, w.track_ab, w.track_l2])
    assert len(_uses(client, w, "admin", period)) == 8
    assert len(_uses(client, w, "admin", f"{period}&artist_id={w.artist_a}")) == 4
    use = client.get(f"/v1/usage/uses?{period}", headers=w.headers("artist_a")).json()["uses"][0]
    assert use["consumer"] == "Acme Audio" and use["purpose"] == "train-generative"
    assert use["consumer_id"] == w.third_party and use["track"] == "Only A"


def test_uses_come_a_page_at_a_time_or_as_csv(client: TestClient, world: World,
                                              period: str) -> None:
    headers = world.headers("admin")
    pages = [client.get(f"/v1/usage/uses?{period}&limit=3&offset={o}", headers=headers).json()
             for o in (0, 3, 6)]
    assert [len(p["uses"]) for p in pages] == [3, 3, 2] and pages[0]["total"] == 8
    paged = [(u["snapshot_id"], u["track_id"]) for p in pages for u in p["uses"]]
    response = client.get(f"/v1/usage/uses?{period}&format=csv", headers=headers)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [(int(r["snapshot_id"]), int(r["track_id"])) for r in rows] == paged


def _compensation(client: TestClient, world: World, role: str, query: str,
                  fmt: str = "json") -> dict | list[dict[str, str]]:  # type: ignore[type-arg]
    response = client.get(f"/v1/usage/compensation?pool={POOL}&currency=EUR&{query}"
                          f"&format={fmt}", headers=world.headers(role))
    assert response.status_code == 200, response.text
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(response.text, newline="")))
    return response.json()  # type: ignore[no-any-return]


def test_the_pool_is_shared_by_units_then_by_co_owners(client: TestClient, world: World,
                                                       period: str) -> None:
    w = world
    whole = _compensation(client, w, "admin", period)
    assert isinstance(whole, dict)
    # four tracks, two units each: 25,000.25 apiece; the odd cent goes to the lowest track id
    assert whole["total_units"] == 8 and whole["total"] == POOL and whole["undistributed"] == 0
    amounts = {(x["track_id"], x["artist_id"]): x["amount"] for x in whole["lines"]}
    assert amounts[(w.track_a, w.artist_a)] == 25_001
    assert amounts[(w.track_ab, w.artist_a)] == 15_000  # 60 % of 25,000
    assert amounts[(w.track_ab, w.artist_b)] == 10_000
    assert whole["artist_totals"] == {str(w.artist_a): 40_001, str(w.artist_b): 60_000}
    assert whole["rights_holder_totals"] == {str(w.holder_2): 25_000}

    rows = _compensation(client, w, "admin", period, "csv")
    assert isinstance(rows, list)
    assert sum(int(r["amount"]) for r in rows) == POOL
    assert {r["currency"] for r in rows} == {"EUR"}


def test_artists_and_labels_read_only_their_own_lines(client: TestClient, world: World,
                                                      period: str) -> None:
    w = world
    mine = _compensation(client, w, "artist_a", period)
    assert isinstance(mine, dict)
    assert mine["view"] == "artist" and mine["total"] == 40_001
    assert {x["artist_id"] for x in mine["lines"]} == {w.artist_a}
    assert mine["artist_totals"] is None and mine["rights_holder_totals"] is None
    raw = client.get(f"/v1/usage/compensation?pool={POOL}&currency=EUR&{period}",
                     headers=w.headers("artist_a")).text
    assert "Bo Artist" not in raw and "Only B" not in raw  # nobody else's name or track
    rows = _compensation(client, w, "artist_b", period, "csv")
    assert isinstance(rows, list)
    assert sum(int(r["amount"]) for r in rows) == 60_000
    label = _compensation(client, w, "holder_2", period)
    assert isinstance(label, dict)
    assert [(x["track_id"], x["amount"]) for x in label["lines"]] == [(w.track_l2, 25_000)]
    assert label["lines"][0]["artist_id"] is None
    assert _compensation(client, w, "holder_1", period)["lines"] == []  # type: ignore[index]
    only_internal = _compensation(client, w, "admin", f"{period}&consumer_id={w.internal}")
    assert isinstance(only_internal, dict)
    assert only_internal["total_units"] == 0 and only_internal["undistributed"] == POOL


@pytest.mark.parametrize(("query", "status", "says"), [
    ("pool=100&currency=EUR&from=2026-02-30&to=2026-03-01", 422, "'from' is not a date"),
    ("pool=100&currency=EUR&from=2026-03-02&to=2026-03-01", 422, "after it ends"),
    ("pool=-5&currency=EUR&from=2026-03-01&to=2026-03-31", 422, "cannot be negative"),
    ("pool=10000000000000000&currency=EUR&from=2026-03-01&to=2026-03-31", 422, "at most"),
    ("pool=12.50&currency=EUR&from=2026-03-01&to=2026-03-31", 422, "whole number"),
    ("pool=100&currency=EURO&from=2026-03-01&to=2026-03-31", 422, "ISO 4217"),
    ("pool=100&currency=EUR&to=2026-03-31", 422, "from"),
    ("pool=100&currency=EUR&from=2026-03-01&to=2026-03-31&consumer_id=999999", 404,
     "consumer 999999"),
    ("pool=100&currency=EUR&from=2026-03-01&to=2026-03-31&artist_id=999999", 404,
     "artist 999999"),
])
def test_bad_compensation_requests_say_what_is_wrong(client: TestClient, world: World,
                                                     query: str, status: int, says: str) -> None:
    response = client.get(f"/v1/usage/compensation?{query}", headers=world.headers("admin"))
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]


def test_bad_usage_requests_say_what_is_wrong(client: TestClient, world: World) -> None:
    w = world
    month = "from=2026-03-01&to=2026-03-31"
    both = client.get(f"/v1/usage/uses?{month}&artist_id={w.artist_a}"
                      f"&rights_holder_id={w.holder_1}", headers=w.headers("admin"))
    assert both.status_code == 422 and both.json()["error"] == "invalid_input"
    assert client.get(f"/v1/usage/uses?{month}&artist_id={MISSING}",
                      headers=w.headers("admin")).status_code == 404
    other = client.get(f"/v1/usage/uses?{month}&artist_id={w.artist_b}",
                       headers=w.headers("artist_a"))
    assert other.status_code == 403 and "not yours" in other.json()["detail"]
    assert client.get("/v1/usage/uses?from=2026-03-01&to=yesterday",
                      headers=w.headers("artist_a")).status_code == 422
    assert client.get(f"/v1/usage/uses?{month}&limit=0",
                      headers=w.headers("artist_a")).status_code == 422
    consumer = client.get(f"/v1/usage/compensation?pool=1&currency=EUR&{month}",
                          headers=w.headers("third_party"))
    assert consumer.status_code == 403


def test_the_uses_csv_writes_formulas_as_text(client: TestClient, world: World,
                                              engine: Engine) -> None:
    """A track title a spreadsheet would run arrives quoted (OWASP, CSV injection)."""
    title = '=HYPERLINK("http://x","y")'
    with engine.begin() as conn:
        track = catalogue.create_track(conn, title, world.artist_a).id
        take(conn, world.third_party, utcnow(), [track])
    today = utcnow().date().isoformat()
    response = client.get(f"/v1/usage/uses?from={today}&to={today}&format=csv",
                          headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [(r["track"], r["snapshot_id"].isdigit()) for r in rows] == [("'" + title, True)]
