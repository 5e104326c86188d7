"""The artist pages through the real app: accounts, CSRF, sessions, permissions, escaping."""

from __future__ import annotations

import io
import re

import pytest
import soundfile
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.ledger.receipts import verify_receipt
from consentry.services import consent_choices
from consentry.store import accounts, catalogue, ledger, outbox, parties

PASSWORD = "correct horse battery"


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def sign_up(client: TestClient, email: str = "ada@example.org", name: str = "Ada") -> None:
    """Sign up, then log in: signing up answers "check your e-mail" and logs nobody in."""
    token = csrf(client.get("/signup").text)
    response = client.post("/signup", data={"email": email, "password": PASSWORD,
                                            "display_name": name, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 200 and "Check your e-mail" in response.text
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/me"
    verify_email(client, email)


def verify_email(client: TestClient, email: str) -> None:
    """Open the verification link of the last message to ``email``, as its owner would."""
    with client.app.state.engine.connect() as conn:  # type: ignore[attr-defined]
        body = outbox.messages_to(conn, email)[-1].text_body
    match = re.search(r"/verify-email\?token=([A-Za-z0-9_-]+)", body)
    assert match, body
    assert client.get(f"/verify-email?token={match.group(1)}").status_code == 200


def test_signup_then_change_a_permission_with_confirmation(
    client: TestClient, engine: Engine
) -> None:
    sign_up(client)
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        track = catalogue.create_track(conn, "First Song", user.artist_id)
    page = client.get("/me/permissions")
    assert page.status_code == 200
    assert "Train AI that generates music" in page.text
    assert "Off until you say yes" in page.text

    review = client.post("/me/permissions/review", data={
        "csrf_token": csrf(page.text), "all:train-generative": "allow",
        f"{track.id}:voice-likeness": "deny"})
    assert review.status_code == 200
    assert "Confirm and record" in review.text
    with engine.connect() as conn:
        assert ledger.events_of(conn, [user.artist_id]) == [], "nothing before confirming"

    changes = re.findall(r'name="change" value="([^"]+)"', review.text)
    expected = ["all|train-generative|allow", f"{track.id}|voice-likeness|deny"]
    assert sorted(changes) == sorted(expected)
    done = client.post("/me/permissions/confirm", data={
        "csrf_token": csrf(review.text), "change": changes}, follow_redirects=True)
    assert "Your choices were recorded." in done.text
    assert "You said yes for all your tracks" in done.text
    with engine.connect() as conn:
        events = ledger.events_of(conn, [user.artist_id])
    assert {(e.purpose, e.choice.value, e.track_id, e.source) for e in events} == {
        ("train-generative", "allow", None, "web"), ("voice-likeness", "deny", track.id, "web")}

    history = client.get("/me/history").text
    assert "Train AI that generates music" in history and "terms version" in history
    # each choice has a receipt that verifies with the log key the page shows
    key = re.search(r"<code translate=\"no\">([^<]+)</code>", history).group(1)
    for event in events:
        receipt = client.get(f"/me/history/{event.id}/receipt.json")
        assert receipt.headers["content-disposition"].startswith("attachment")
        assert verify_receipt(receipt.json(), key).record["id"] == event.id
    with engine.begin() as conn:
        other = consent_choices.record_choice(conn, ConsentChoice(
            parties.create_artist(conn, "Someone else").id, "train-ai", Choice.DENY))
    assert client.get(f"/me/history/{other.id}/receipt.json").status_code == 403
    export = client.get("/me/export.json")
    assert export.headers["content-disposition"].startswith("attachment")
    assert len(export.json()["consent_events"]) == 2


def test_setting_a_track_back_to_default_records_a_clear(
    client: TestClient, engine: Engine
) -> None:
    sign_up(client)
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        track = catalogue.create_track(conn, "Song", user.artist_id)
    for value in ("deny", ""):
        page = client.get("/me/permissions")
        review = client.post("/me/permissions/review", data={
            "csrf_token": csrf(page.text), f"{track.id}:recommendations": value})
        changes = re.findall(r'name="change" value="([^"]+)"', review.text)
        client.post("/me/permissions/confirm", data={"csrf_token": csrf(review.text),
                                                     "change": changes})
    with engine.connect() as conn:
        choices = [e.choice.value for e in ledger.events_of(conn, [user.artist_id])]
    assert choices == ["deny", "clear"]


def test_forms_without_the_session_token_are_refused(client: TestClient) -> None:
    client.get("/signup")
    response = client.post("/signup", data={"email": "x@example.org", "password": PASSWORD,
                                            "display_name": "X"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    forged = client.post("/signup", data={"email": "x@example.org", "password": PASSWORD,
                                          "display_name": "X", "csrf_token": "forged"})
    assert forged.status_code == 403


def test_signing_up_does_not_tell_which_addresses_have_accounts(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo", Role.ARTIST)

    def sign_up_as(email: str, name: str) -> tuple[int, str, str | None]:
        browser = TestClient(client.app)
        token = csrf(browser.get("/signup").text)
        answer = browser.post("/signup", data={"email": email, "password": "another password",
                                               "display_name": name, "csrf_token": token},
                              follow_redirects=False)
        return (answer.status_code, answer.text.replace(email, "ADDRESS"),
                answer.headers.get("set-cookie"))

    fresh, taken = sign_up_as("new@example.org", "Newcomer"), sign_up_as("bo@example.org", "Bob")
    assert fresh == taken and fresh[0] == 200 and fresh[2] is None, "alike, nobody logged in"
    assert "Check your e-mail" in fresh[1]
    with engine.connect() as conn:
        assert [u.email for u in accounts.list_users(conn)] == ["bo@example.org",
                                                              "new@example.org"]
        assert [m.subject for m in outbox.messages_to(conn, "bo@example.org")] == [
            "Someone tried to sign up with your e-mail address"]

    status, page, _ = sign_up_as("third@example.org", "  bo ")
    assert status == 422 and "another artist already goes by this name" in page


def test_login_starts_a_new_session(client: TestClient, engine: Engine) -> None:
    """An attacker who planted a session id before login gains nothing."""
    with engine.begin() as conn:
        accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo", Role.ARTIST)
    page = client.get("/login")
    planted = client.cookies.get("consentry_session")
    response = client.post("/login", data={"email": "bo@example.org", "password": PASSWORD,
                                           "csrf_token": csrf(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.cookies.get("consentry_session") != planted
    attacker = TestClient(client.app, cookies={"consentry_session": planted})
    assert attacker.get("/me", follow_redirects=False).status_code == 303


@pytest.mark.slow
def test_failed_logins_wait_but_never_lock_the_owner_out(client: TestClient,
                                                         engine: Engine) -> None:
    """Guesses from one address make that address wait; the owner, elsewhere, logs in."""
    with engine.begin() as conn:
        accounts.create_user(conn, "cy@example.org", PASSWORD, "Cy", Role.ARTIST)
    attacker = TestClient(client.app, client=("198.51.100.7", 40000))
    token = csrf(attacker.get("/login").text)
    statuses = [attacker.post("/login", data={"email": "cy@example.org", "password": "wrong!",
                                              "csrf_token": token}).status_code
                for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    right = attacker.post("/login", data={"email": "cy@example.org", "password": PASSWORD,
                                          "csrf_token": token})
    assert right.status_code == 429 and 0 < int(right.headers["retry-after"]) <= 60
    assert "try again in 1 min" in right.text
    owner = TestClient(client.app, client=("203.0.113.9", 40000))
    page = owner.get("/login")
    response = owner.post("/login", data={"email": "cy@example.org", "password": PASSWORD,
                                          "csrf_token": csrf(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/me"


def test_text_fields_are_escaped_on_every_page(client: TestClient, engine: Engine) -> None:
    evil = '<script>alert("x")</script>'
    sign_up(client, name=evil)
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        track = catalogue.create_track(conn, evil, user.artist_id)
    for path in ("/me", "/me/permissions", f"/tracks/{track.id}",
                 f"/artists/{user.artist_id}"):
        html = client.get(path).text
        assert evil not in html, path
        assert "&lt;script&gt;" in html, path


def test_pages_need_an_artist_and_send_security_headers(client: TestClient) -> None:
    response = client.get("/me/permissions", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    home = client.get("/")
    assert home.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in home.headers["content-security-policy"]
    assert client.get("/tracks/999").status_code == 404
    assert client.get("/static/style.css").status_code == 200


def test_language_follows_accept_language_and_the_switch(client: TestClient) -> None:
    assert 'lang="de"' in client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).text
    english = client.get("/?lang=en", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in english.text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "de"}).text


def test_artist_registers_a_co_owned_track_and_uploads_its_audio(
    client: TestClient, engine: Engine
) -> None:
    from tests.audio.synth import audio_bytes

    with engine.begin() as conn:
        friend = accounts.create_user(conn, "friend@example.org", PASSWORD, "Friend",
                                      Role.ARTIST)
    sign_up(client)
    form = client.get("/me/tracks/new")
    bad = client.post("/me/tracks/new", data={"csrf_token": csrf(form.text), "title": "Duet",
                                              "co_owners": "nobody: lots"})
    assert bad.status_code == 422 and "artist number: percent" in bad.text
    made = client.post("/me/tracks/new", data={
        "csrf_token": csrf(form.text), "title": "Duet",
        "co_owners": f"{friend.artist_id}: 40"}, follow_redirects=False)
    assert made.status_code == 303
    manage_url = made.headers["location"]
    track_id = int(manage_url.rsplit("/", 1)[1])
    with engine.connect() as conn:
        shares = {s.artist_id: s.basis_points for s in catalogue.get_track(conn, track_id).shares}
    assert shares[friend.artist_id] == 4000 and sum(shares.values()) == 10_000

    page = client.get(manage_url)
    action = re.search(r'action="([^"]+/audio)"', page.text).group(1)
    token = {"csrf_token": csrf(page.text)}
    wav = audio_bytes("wav", seconds=1.0)
    forged = client.post(action, data={"csrf_token": "forged"},
                         files={"file": ("song.wav", wav, "audio/wav")})
    assert forged.status_code == 403
    corrupt = client.post(action, data=token,
                          files={"file": ("song.wav", b"RIFF....nonsense", "audio/wav")})
    assert corrupt.status_code == 422 and 'role="alert"' in corrupt.text
    done = client.post(action, data=token,
                       files={"file": ("song.wav", wav, "audio/wav")}, follow_redirects=True)
    assert done.status_code == 200 and "<audio" in done.text
    served = client.get(f"/v1/tracks/{track_id}/audio").content  # the upload, rights embedded
    assert soundfile.read(io.BytesIO(served))[0].tolist() == soundfile.read(
        io.BytesIO(wav))[0].tolist()
    assert "<audio" in client.get(f"/tracks/{track_id}").text


def test_an_artist_cannot_manage_another_artists_track(client: TestClient, engine: Engine,
                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.audio.synth import audio_bytes

    with engine.begin() as conn:
        other = accounts.create_user(conn, "other@example.org", PASSWORD, "Other", Role.ARTIST)
        theirs = catalogue.create_track(conn, "Not yours", other.artist_id)
    sign_up(client)
    assert client.get(f"/me/tracks/{theirs.id}").status_code == 403
    token = csrf(client.get("/me").text)
    response = client.post(f"/me/tracks/{theirs.id}/audio", data={"csrf_token": token},
                           files={"file": ("x.wav", audio_bytes("wav", seconds=1.0),
                                           "audio/wav")})
    assert response.status_code == 403
    with engine.connect() as conn:
        assert catalogue.get_track_audio(conn, theirs.id) is None


def test_the_upload_form_sends_its_token_in_the_body_never_in_the_address(
    client: TestClient, engine: Engine
) -> None:
    """A token in a URL ends up in access logs and browser history: the form puts it in a
    field before the file, and the server refuses one in the query string."""
    from tests.audio.synth import audio_bytes

    sign_up(client)
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        track = catalogue.create_track(conn, "Take One", user.artist_id)
    page = client.get(f"/me/tracks/{track.id}").text
    form = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data">'
                     r'\s*<input type="hidden" name="csrf_token" value="([^"]+)">', page)
    assert form and form.group(1) == f"/me/tracks/{track.id}/audio", "token before the file"
    token = form.group(2)
    wav = {"file": ("take.wav", audio_bytes("wav", seconds=0.5), "audio/wav")}
    in_query = client.post(f"/me/tracks/{track.id}/audio?csrf_token={token}", files=wav)
    assert in_query.status_code == 403
    both = client.post(f"/me/tracks/{track.id}/audio?csrf_token={token}",
                       data={"csrf_token": token}, files=wav)
    assert both.status_code == 403
    with engine.connect() as conn:
        assert catalogue.get_track_audio(conn, track.id) is None
    done = client.post(f"/me/tracks/{track.id}/audio", data={"csrf_token": token}, files=wav,
                       follow_redirects=False)
    assert done.status_code == 303
    with engine.connect() as conn:
        assert catalogue.get_track_audio(conn, track.id) is not None


def test_login_returns_to_the_page_asked_for_but_never_off_site(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        accounts.create_user(conn, "di@example.org", PASSWORD, "Di", Role.ARTIST)
    sent = client.get("/me/history", follow_redirects=False).headers["location"]
    page = client.get(sent)
    assert 'name="next" value="/me/history"' in page.text
    back = client.post("/login", data={"email": "di@example.org", "password": PASSWORD,
                                       "csrf_token": csrf(page.text), "next": "/me/history"},
                       follow_redirects=False)
    assert back.headers["location"] == "/me/history"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert f'value="{target}"' not in client.get("/login", params={"next": target}).text
