"""The permissions page a musician reads in one pass (issue 17): defaults in words, one
outcome per use with the choice that decides it, answers for single companies, and a review
that shows each outcome before and after."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import accounts, catalogue, ledger
from tests.web.test_pages import csrf, sign_up


def _artist_with_track(client: TestClient, engine: Engine) -> tuple[int, int]:
    sign_up(client)
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        track = catalogue.create_track(conn, "First Song", user.artist_id)
    assert user.artist_id is not None
    return user.artist_id, track.id


def _choose(engine: Engine, artist_id: int, purpose: str, choice: Choice,
            track_id: int | None = None) -> None:
    with engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(artist_id, purpose, choice, track_id))


def _cell(html: str, track_id: int, purpose: str) -> str:
    table = html.split(f'data-track="{track_id}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'data-purpose="{re.escape(purpose)}">(.*?)</td>', table, re.S)
    assert match, purpose
    return re.sub(r"<[^>]+>", "", match.group(1))


def _use(html: str, purpose: str) -> str:
    item = html.split(f'id="use-{purpose}"', 1)[1].split("</li>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))


def _confirm(client: TestClient, data: dict[str, str]) -> str:
    page = client.get("/me/permissions")
    review = client.post("/me/permissions/review", data={"csrf_token": csrf(page.text), **data})
    changes = re.findall(r'name="change" value="([^"]+)"', review.text)
    done = client.post("/me/permissions/confirm", data={
        "csrf_token": csrf(review.text), "change": changes})
    return done.text


def test_each_use_says_in_words_what_happens_without_an_answer(
    client: TestClient, engine: Engine
) -> None:
    _artist_with_track(client, engine)
    page = client.get("/me/permissions").text
    assert "Without your answer: allowed" in _use(page, "recommendations")
    assert "Without your answer: not allowed" in _use(page, "train-generative")
    assert "No answer: not allowed by default" in _use(page, "train-generative")
    assert "Platform default" not in page
    for jargon in ("IETF", "train-ai&#39; category", "third-party-training:&lt;company&gt;"):
        assert jargon not in page


def test_a_broad_use_does_not_read_as_contradicting_the_narrow_one_allowed(
    client: TestClient, engine: Engine
) -> None:
    artist, track = _artist_with_track(client, engine)
    _choose(engine, artist, "train-generative", Choice.ALLOW, track)
    page = client.get("/me/permissions").text
    assert _cell(page, track, "train-generative").startswith("Allowed")
    for umbrella in ("ai-use", "train-ai"):
        assert "Not allowed" not in _cell(page, track, umbrella)
        assert "each use below decides for itself" in _cell(page, track, umbrella)


def test_the_outcome_names_the_broader_choice_that_decides_it(
    client: TestClient, engine: Engine
) -> None:
    artist, track = _artist_with_track(client, engine)
    _choose(engine, artist, "train-generative", Choice.DENY)
    page = client.get("/me/permissions").text
    voice = _cell(page, track, "voice-likeness")
    assert voice.startswith("Not allowed")
    assert "You said no to “Train AI that generates music” for all your tracks" in voice
    assert "which covers this" in voice


def test_answers_for_single_companies_are_added_listed_and_removed(
    client: TestClient, engine: Engine
) -> None:
    artist, track = _artist_with_track(client, engine)
    _choose(engine, artist, "third-party-training:soundlab", Choice.ALLOW)
    page = client.get("/me/permissions").text
    assert "Let soundlab train AI on my music" in _use(page, "third-party-training:soundlab")
    assert _cell(page, track, "third-party-training:soundlab").startswith("Allowed")

    added = _confirm(client, {"company": "acme-audio", "company_choice": "deny"})
    assert "Let acme-audio train AI on my music" in added
    removed = _confirm(client, {"all:third-party-training:soundlab": ""})
    assert "Your choices were recorded." in removed
    with engine.connect() as conn:
        events = ledger.events_of(conn, [artist])
    assert [(e.purpose, e.choice) for e in events[1:]] == [
        ("third-party-training:acme-audio", Choice.DENY),
        ("third-party-training:soundlab", Choice.CLEAR)]
    assert "Let soundlab train AI on my music" not in client.get("/me/permissions").text

    page = client.get("/me/permissions")
    refused = client.post("/me/permissions/review", data={
        "csrf_token": csrf(page.text), "company": "Not a name!"})
    assert refused.status_code == 422


def test_the_review_shows_each_outcome_before_and_after(
    client: TestClient, engine: Engine
) -> None:
    _, track = _artist_with_track(client, engine)
    page = client.get("/me/permissions")
    review = client.post("/me/permissions/review", data={
        "csrf_token": csrf(page.text), "all:train-generative": "allow"}).text
    effects = review.split('class="effects', 1)[1].split("</table>", 1)[0]
    row = next(r for r in effects.split("<tr>") if "Train AI that generates music" in r)
    before, after = re.findall(r'<td class="(\w+)"[^>]*>', row)
    assert (before, after) == ("denied", "allowed")
    assert "First Song" in row and "You said yes for all your tracks" in row
    # voice cloning needs its own yes: the review does not claim it changes
    assert "Clone my voice or likeness" not in effects
    assert track


def test_after_confirming_the_changed_track_is_open_and_marked(
    client: TestClient, engine: Engine
) -> None:
    _, track = _artist_with_track(client, engine)
    done = _confirm(client, {f"{track}:recommendations": "deny"})
    assert f'<details id="track-{track}" open>' in done
    row = done.split(f'data-track="{track}"', 1)[1].split("</table>", 1)[0]
    marked = next(r for r in row.split("<tr") if "Recommend my music" in r)
    assert 'class="changed"' in marked and "Just changed" in marked


def test_the_public_track_page_speaks_to_visitors_and_says_why(
    client: TestClient, engine: Engine
) -> None:
    artist, track = _artist_with_track(client, engine)
    _choose(engine, artist, "train-generative", Choice.DENY)
    client.cookies.clear()
    page = client.get(f"/tracks/{track}").text
    assert "my music" not in page.lower() and "Clone my voice" not in page
    assert "Clone the artist&#39;s voice or likeness" in page
    assert ("The artist said no to “Train AI that generates music” for all their tracks"
            in page)
    assert "Recommend this music to listeners" in page
