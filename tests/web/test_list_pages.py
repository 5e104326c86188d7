"""Track lists on the pages are searched (title or artist, ISRC) and every long list is paged,
with "Showing 1 to 2 of 3" (en dash) in the reader's language and links that keep the search."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import accounts, catalogue, parties
from tests.web.test_pages import PASSWORD
from tests.web.test_staff_pages import log_in


def _text(response_text: str) -> str:
    return html.unescape(response_text)


def test_an_artist_searches_and_pages_their_tracks(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        for n in range(3):
            catalogue.create_track(conn, f"Waltz {n}", ada.artist_id)  # type: ignore[arg-type]
        catalogue.create_track(conn, "Tango", ada.artist_id, isrc="GBAYE2400001")  # type: ignore[arg-type]
    log_in(client, "ada@example.org")
    first = _text(client.get("/me?q=waltz&limit=2").text)
    assert "Waltz 0" in first and "Waltz 1" in first and "Waltz 2" not in first
    assert "Tango" not in first and "Showing 1\N{EN DASH}2 of 3" in first
    assert 'href="/me?q=waltz&amp;limit=2&amp;offset=2"' in client.get("/me?q=waltz&limit=2").text
    second = _text(client.get("/me?q=waltz&limit=2&offset=2").text)
    assert "Waltz 2" in second and "Showing 3\N{EN DASH}3 of 3" in second and 'rel="prev"' in second
    found = _text(client.get("/me?isrc=gb-aye-24-00001").text)
    assert "Tango" in found and "Waltz" not in found.split("</h2>", 1)[1]
    nothing = _text(client.get("/me?q=polka").text)
    assert "No track matches this search." in nothing and "No tracks yet." not in nothing
    german = _text(client.get("/me?q=waltz&limit=2&lang=de").text)
    assert "Angezeigt: 1\N{EN DASH}2 von 3" in german and "Weiter" in german


def test_label_and_admin_track_lists_are_searched(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label One")
        bo = parties.create_artist(conn, "Bo Diddley")
        ada = parties.create_artist(conn, "Ada")
        catalogue.create_track(conn, "Bo's song", bo.id, rights_holder_id=label.id)
        catalogue.create_track(
            conn, "Ada's song", ada.id, rights_holder_id=label.id, isrc="GBAYE2400002"
        )
        accounts.create_user(
            conn,
            "staff@label.example",
            PASSWORD,
            "Staff",
            Role.RIGHTS_HOLDER,
            rights_holder_id=label.id,
        )
        accounts.create_user(conn, "root@platform.example", PASSWORD, "Root", Role.ADMIN)
    log_in(client, "staff@label.example")
    found = _text(client.get("/label?q=diddley").text)
    assert "Bo's song" in found and "Ada's song" not in found
    log_in(client, "root@platform.example")
    admin = _text(client.get("/admin/tracks?isrc=GBAYE2400002").text)
    assert "Ada's song" in admin and "Bo's song" not in admin
    assert 'name="isrc"' in admin and 'value="GBAYE2400002"' in admin


def test_the_history_is_paged_newest_first(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        ids = [
            consent_choices.record_choice(
                conn, ConsentChoice(ada.artist_id, purpose, Choice.DENY)
            ).id  # type: ignore[arg-type]
            for purpose in ("train-ai", "recommendations", "voice-likeness")
        ]
    log_in(client, "ada@example.org")
    page = _text(client.get("/me/history?limit=2").text)
    assert f'id="event-{ids[2]}"' in page and f'id="event-{ids[1]}"' in page
    assert f'id="event-{ids[0]}"' not in page and "Showing 1\N{EN DASH}2 of 3" in page
    rest = _text(client.get("/me/history?limit=2&offset=2").text)
    assert f'id="event-{ids[0]}"' in rest and f'id="event-{ids[2]}"' not in rest
    assert client.get("/me/history?offset=-1").status_code == 422
