"""Terms in the pages: an admin drafts and publishes, an artist sees the banner and answers,
and anyone reads the versions, their diffs, the feed and the exact texts with their hashes."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.i18n import translations
from consentry.i18n.formatting import day
from consentry.services.terms_notices import publish_with_notice
from consentry.store import accounts
from consentry.store.outbox import messages_to
from consentry.store.terms import get_published, publish_text
from consentry.store.terms_acceptance import answers_of, record_answer
from consentry.timestamps import utcnow
from tests.terms.samples import V1, V2
from tests.web.test_pages import PASSWORD, csrf
from tests.web.test_staff_pages import log_in

HOSTILE = '<script>alert("terms")</script> [click](javascript:alert(1))'
CLAUSE_A = "We may train voice models on your uploads."
CLAUSE_B = "We may put your uploads in datasets for machine learning."
WITH_A = V1 + "\n## 6. Voice models\n\n" + CLAUSE_A + "\n"
WITH_A_AND_B = WITH_A + "\n## 7. Datasets\n\n" + CLAUSE_B + "\n"


def _platform(engine: Engine) -> int:
    """Version 2 in force for a year, an admin and an artist who joined under it."""
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin", notice=timedelta(days=30),
                     at=utcnow() - timedelta(days=400))
        accounts.create_user(conn, "admin@example.org", PASSWORD, "Admin", Role.ADMIN)
        return accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST).id


def test_admin_publishes_a_material_change_and_the_artist_answers(
        client: TestClient, engine: Engine) -> None:
    artist = _platform(engine)
    log_in(client, "admin@example.org")
    page = client.get("/admin/terms")
    preview = client.post("/admin/terms/preview", data={
        "csrf_token": csrf(page.text), "version": "3", "markdown": V2,
        "refusal_note": "New AI features will not be available to you."})
    assert preview.status_code == 200 and "This draft changes AI use" in preview.text
    assert "<ins>" in preview.text and "changes AI use" in preview.text
    with engine.connect() as conn:
        assert messages_to(conn, "ada@example.org") == [], "nothing stored by a preview"
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                             preview.text.split('action="/admin/terms/publish"')[1]))
    published = client.post("/admin/terms/publish", data={
        "csrf_token": hidden["csrf_token"], "version": hidden["version"], "markdown": V2,
        "refusal_note": hidden["refusal_note"]}, follow_redirects=True)
    assert "The version was published." in published.text
    with engine.connect() as conn:
        [mail] = messages_to(conn, "ada@example.org")
        assert "/terms/review" in mail.text_body
    client.post("/logout", data={"csrf_token": csrf(published.text)})

    log_in(client, "ada@example.org")
    home = client.get("/me")
    assert 'id="terms-banner"' in home.text and "now mentions" in home.text
    # hidden for this version only once the user has seen it: the button is on the banner
    assert 'action="/terms/banner/hide"' in home.text
    hidden = client.post("/terms/banner/hide", data={
        "csrf_token": csrf(home.text), "version": re.search(
            r'name="version" value="([^"]+)"', home.text.split('id="terms-banner"')[1]).group(1),
        "next": "https://elsewhere.example/"}, follow_redirects=False)
    assert hidden.headers["location"] == "/"
    assert 'id="terms-banner"' not in client.get("/me").text
    # replaces the cookie the server set (same domain), rather than sending both
    client.cookies.set("consentry_terms_banner_hidden", "an older version",
                       domain="testserver.local")
    assert 'id="terms-banner"' in client.get("/me").text
    review = client.get("/terms/review")
    assert "Accept the new terms" in review.text and "New AI features" in review.text
    shown = re.search(r'name="text_hash" value="([0-9a-f]{64})"', review.text).group(1)
    bad = client.post("/terms/answer", data={"csrf_token": csrf(review.text), "version": "3",
                                             "text_hash": "0" * 64, "answer": "accept"})
    assert bad.status_code == 422
    forged = client.post("/terms/answer", data={"version": "3", "text_hash": shown,
                                                "answer": "accept"})
    assert forged.status_code == 403
    done = client.post("/terms/answer", data={"csrf_token": csrf(review.text), "version": "3",
                                              "text_hash": shown, "answer": "accept"},
                       follow_redirects=True)
    assert "You accepted this version." in done.text and 'id="terms-banner"' not in done.text
    with engine.connect() as conn:
        [answer] = answers_of(conn, artist)
    assert answer.accepted and answer.text_hash == shown


def test_public_terms_history_feed_and_verifiable_sources(
        client: TestClient, engine: Engine) -> None:
    _platform(engine)
    with engine.begin() as conn:
        publish_text(conn, "3", V2 + "\n\n## 9. Notes\n\n" + HOSTILE, "admin",
                     notice=timedelta(days=30))
    terms = client.get("/terms")
    assert terms.status_code == 200 and "Version 2" in terms.text
    assert "A new version 3 was published" in terms.text
    history = client.get("/terms/history").text
    assert "Version 3" in history and "changes AI use" in history and "<del>" in history
    assert "<script>alert" not in history and "&lt;script&gt;" in history
    version = client.get("/terms/versions/3").text
    assert "<script>alert" not in version and 'href="javascript:' not in version
    source = client.get("/terms/versions/3/source")
    digest = hashlib.sha256(source.content).hexdigest()
    assert source.headers["x-terms-sha256"] == digest and digest in history
    feed = ET.fromstring(client.get("/terms/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text.endswith("(3)") for e in entries] == [True, False]
    assert digest in entries[0].find(f"{atom}summary").text
    assert client.get("/terms/versions/1/source").status_code == 404


def test_only_admins_draft_and_publish(client: TestClient, engine: Engine) -> None:
    _platform(engine)
    assert client.get("/admin/terms", follow_redirects=False).status_code in (303, 401)
    log_in(client, "ada@example.org")
    page = client.get("/me")
    assert client.get("/admin/terms").status_code == 403
    for path in ("/admin/terms/preview", "/admin/terms/publish"):
        response = client.post(path, data={"csrf_token": csrf(page.text), "version": "9",
                                           "markdown": V2})
        assert response.status_code == 403
    assert client.get("/terms/review").status_code == 200


def test_text_fields_of_a_version_are_escaped(client: TestClient, engine: Engine) -> None:
    _platform(engine)
    evil = '<img src=x onerror=alert(1)>'
    with engine.begin() as conn:
        publish_text(conn, "3", V2.replace("# Soundhaven Terms of Use", f"# {evil}"), "admin",
                     notice=timedelta(days=30), refusal_note=evil)
    log_in(client, "ada@example.org")
    for path in ("/terms/review", "/terms/history", "/terms/versions/3", "/me"):
        html = client.get(path).text
        assert evil not in html, path
    assert "&lt;img" in client.get("/terms/review").text
    assert evil not in client.get("/terms/feed.atom").text


def test_admin_sets_the_prohibited_uses_on_publish(client: TestClient, engine: Engine) -> None:
    """The form starts from the current version's purposes; what the admin leaves there is
    the new version's, and a change of them is material (it waits for its notice)."""
    _platform(engine)
    log_in(client, "admin@example.org")
    page = client.get("/admin/terms")
    assert 'name="required" maxlength="2000" value="content-identification, fraud-detection"' \
        in page.text
    unknown = client.post("/admin/terms/preview", data={
        "csrf_token": csrf(page.text), "version": "3", "markdown": V1 + "\n\nMore.",
        "required": "fraud-detection", "prohibited": "voice-cloning-deluxe"})
    assert unknown.status_code == 422
    preview = client.post("/admin/terms/preview", data={
        "csrf_token": csrf(page.text), "version": "3", "markdown": V1 + "\n\nMore.",
        "required": "fraud-detection, content-identification", "prohibited": "voice-likeness"})
    assert "This draft changes AI use" in preview.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                             preview.text.split('action="/admin/terms/publish"')[1]))
    assert hidden["prohibited"] == "voice-likeness"
    client.post("/admin/terms/publish", data={**hidden, "markdown": V1 + "\n\nMore."})
    versions = client.get("/v1/terms").json()
    assert versions[-1]["prohibited_purposes"] == ["voice-likeness"]
    assert versions[-1]["required_purposes"] == ["content-identification", "fraud-detection"]
    assert versions[-1]["material"] is True


def _two_versions_waiting(engine: Engine, *, accept_v2: bool) -> None:
    """Ada accepted version 1; version 2 adds clause A and version 3 clause B, both still in
    their notice period; with ``accept_v2`` she accepted version 2 too."""
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST).id
        v1 = publish_text(conn, "v1", V1, "admin", notice=timedelta(0))
        record_answer(conn, ada, "v1", v1.text_hash, True, utcnow())
        for version, text in (("v2", WITH_A), ("v3", WITH_A_AND_B)):
            publish_with_notice(conn, version, text, "admin", notice_days=30,
                                base_url="http://consentry.test")
            if accept_v2 and version == "v2":
                record_answer(conn, ada, "v2", get_published(conn, "v2").text_hash, True,
                              utcnow())


def test_review_shows_every_clause_since_the_version_accepted(
        client: TestClient, engine: Engine) -> None:
    _two_versions_waiting(engine, accept_v2=False)
    log_in(client, "ada@example.org")
    review = client.get("/terms/review").text
    assert 'value="v3"' in review, "the newest version is the one answered"
    assert CLAUSE_A in review and CLAUSE_B in review
    today = day(utcnow(), "en")
    assert f"Changes since version v1, which you accepted on {today}." in review
    assert CLAUSE_A in review.split('id="terms-since"')[1].split("SHA-256")[0]
    banner = client.get("/me").text.split('id="terms-banner"')[1].split("</section>")[0]
    assert "Voice models" in banner and "Datasets" in banner
    with engine.connect() as conn:
        *_, notice = messages_to(conn, "ada@example.org")
    assert "Voice models" in notice.text_body and "Datasets" in notice.text_body
    assert "Changes since version v1, which you accepted on" in notice.text_body


def test_review_after_accepting_the_version_in_between_shows_only_what_is_new(
        client: TestClient, engine: Engine) -> None:
    _two_versions_waiting(engine, accept_v2=True)
    log_in(client, "ada@example.org")
    review = client.get("/terms/review").text
    assert CLAUSE_B in review and CLAUSE_A not in review
    assert "Changes since version v2, which you accepted on" in review


def test_review_without_an_answer_starts_from_the_version_signed_up_under(
        client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "v1", V1, "admin", notice=timedelta(0),
                     at=utcnow() - timedelta(days=1))
        accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST,
                             locale="de")
        publish_text(conn, "v2", WITH_A, "admin", notice=timedelta(days=30))
        publish_text(conn, "v3", WITH_A_AND_B, "admin", notice=timedelta(days=30))
    log_in(client, "ada@example.org")
    review = client.get("/terms/review").text
    assert CLAUSE_A in review and CLAUSE_B in review
    since = translations("de").gettext(
        "Changes since version %(version)s, which applied when you signed up on %(date)s.")
    assert since % {"version": "v1", "date": day(utcnow(), "de")} in review
