"""The invitations page: an artist named as a co-owner sees the offer, accepts it with a form
that carries the session's token, and only then finds the track among their own."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Share
from consentry.store import accounts, catalogue, parties
from tests.web.test_pages import csrf, sign_up


def test_an_invited_artist_accepts_on_the_invitations_page(client: TestClient,
                                                           engine: Engine) -> None:
    sign_up(client, "bo@example.org", "Bo")
    with engine.begin() as conn:
        [bo] = accounts.list_users(conn)
        ada = parties.create_artist(conn, "Ada <b>Lovelace</b>").id
        track = catalogue.create_track(conn, "Shared <i>Song</i>", ada,
                                       [Share(ada, 6000), Share(bo.artist_id, 4000)],
                                       by="Ada").id
    overview = client.get("/me")
    assert "Invitations to co-own: 1" in overview.text
    assert "Shared &lt;i&gt;Song&lt;/i&gt;" not in overview.text, "not Bo's track yet"
    assert client.get(f"/me/tracks/{track}").status_code == 403

    page = client.get("/me/invitations")
    assert page.status_code == 200
    assert "Shared &lt;i&gt;Song&lt;/i&gt;" in page.text and "Ada &lt;b&gt;Lovelace" in page.text
    assert "40 %" in page.text
    refused = client.post(f"/me/invitations/{track}", data={"answer": "accept"})
    assert refused.status_code == 403, "a form without the session's token is refused"
    done = client.post(f"/me/invitations/{track}",
                       data={"answer": "accept", "csrf_token": csrf(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/me/tracks/{track}"
    assert client.get(f"/me/tracks/{track}").status_code == 200
    assert "No open invitations." in client.get("/me/invitations").text


def test_an_artist_declines_and_may_still_accept(client: TestClient, engine: Engine) -> None:
    sign_up(client, "bo@example.org", "Bo")
    with engine.begin() as conn:
        [bo] = accounts.list_users(conn)
        ada = parties.create_artist(conn, "Ada").id
        track = catalogue.create_track(conn, "Shared", ada,
                                       [Share(ada, 5000), Share(bo.artist_id, 5000)]).id
    page = client.get("/me/invitations")
    client.post(f"/me/invitations/{track}", data={"answer": "decline",
                                                  "csrf_token": csrf(page.text)})
    again = client.get("/me/invitations")
    assert "You declined. You can still accept." in again.text
    assert 'value="decline"' not in again.text
    with engine.connect() as conn:
        assert bo.artist_id in catalogue.get_track(conn, track).pending_ids
