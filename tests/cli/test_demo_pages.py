"""The demo's pages as its people see them: numbers, versions and statuses that agree with
the records behind them, and a terms review whose answers cannot be mistaken for each other."""

from __future__ import annotations

import html as html_module
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import ledger, parties
from tests.cli.test_cli import invoke
from tests.web.test_pages import csrf

DEMO_PASSWORD = "demo-password"


def _demo_client(client: TestClient, email: str) -> TestClient:
    """A browser of its own for one demo account, logged in."""
    visitor = TestClient(client.app)
    page = visitor.get("/login")
    answer = visitor.post(
        "/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return visitor


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


@pytest.mark.slow
def test_the_label_sees_each_claims_status_once(cli_env: dict, client: TestClient) -> None:
    invoke("demo", "--json")
    label = _demo_client(client, "label@demo.consentry.example")
    page = label.get("/label/claims").text
    [row] = re.findall(r'<tr id="claim-\d+">(.*?)</tr>', page, re.S)
    assert _text(row).count("Open") == 1, _text(row)


@pytest.mark.slow
def test_history_numbers_each_event_by_its_id(
    cli_env: dict, client: TestClient, engine: Engine
) -> None:
    invoke("demo", "--json")
    mara = _demo_client(client, "mara@demo.consentry.example")
    artist_id = mara.get("/me/export.json").json()["artist"]["id"]
    with engine.begin() as conn:  # another artist's choice, then hers: her next is not next
        other = parties.create_artist(conn, "Someone else").id
        consent_choices.record_choice(conn, ConsentChoice(other, "train-ai", Choice.DENY))
        consent_choices.record_choice(conn, ConsentChoice(artist_id, "train-ai", Choice.DENY))
    with engine.connect() as conn:
        events = ledger.events_of(conn, [artist_id])
    history = mara.get("/me/history").text
    shown = re.findall(r'<li id="event-(\d+)"><span class="event-id">Event (\d+)</span>', history)
    assert shown and all(anchor == number for anchor, number in shown)
    assert sorted(int(n) for n, _ in shown) == sorted(e.id for e in events)
    assert {n for n, _ in shown} != {str(i) for i in range(1, len(shown) + 1)}, (
        "the demo's artist's events are not the first ones, so a counter would show"
    )


@pytest.mark.slow
def test_every_demo_event_names_a_version_the_terms_history_shows(
    cli_env: dict, client: TestClient, engine: Engine
) -> None:
    invoke("demo", "--json")
    versions = set(
        re.findall(r"<h2><a href=\"/terms/versions/([^\"]+)\">", client.get("/terms/history").text)
    )
    with engine.connect() as conn:
        used = {
            row[0]
            for row in conn.exec_driver_sql("SELECT DISTINCT terms_version FROM consent_events")
        }
    assert used and used <= versions, (used, versions)


@pytest.mark.slow
def test_the_terms_review_answers_look_different_and_name_uses_in_words(
    cli_env: dict, client: TestClient
) -> None:
    invoke("demo", "--json")
    mara = _demo_client(client, "mara@demo.consentry.example")
    review = mara.get("/terms/review").text
    buttons = dict(
        re.findall(
            r'<button type="submit" name="answer" value="(\w+)" '
            r'class="([^"]+)"',
            review,
        )
    )
    assert set(buttons) == {"accept", "refuse"}
    assert buttons["accept"] != buttons["refuse"]
    headers = _text(" ".join(re.findall(r"<thead>.*?</thead>", review, re.S)))
    assert headers == "Section Change Text", "no keyword column"
    text = _text(review)
    assert "'Train AI that generates music'" in text
    assert not re.search(r"'(train-generative|voice-likeness|train-ai|ai-use)'", text)


@pytest.mark.slow
def test_the_first_terms_say_recommendations_are_on_by_default(
    cli_env: dict, client: TestClient
) -> None:
    invoke("demo", "--json")
    history = _text(client.get("/terms/history").text)
    first = history[history.index("Version 2024-01") :]
    assert "off until its artist allows them" not in first
    assert "Recommend this music to listeners: on for existing music" in first
