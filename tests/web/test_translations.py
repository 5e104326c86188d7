"""The German catalogue: every message the pages can show is translated, placeholders intact.

The messages are extracted here the way ``make messages`` does (babel.cfg, ``-k gettext:2``,
``-k N_``), so a string added to a template or a page without a German translation fails.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.i18n import LOCALE_DIR, translations
from consentry.purposes import VOCABULARY
from consentry.store import accounts, catalogue, parties
from tests.web.test_pages import PASSWORD, csrf, verify_email

ROOT = Path(__file__).resolve().parents[2]
GERMAN = LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"
# pybabel's default keywords, with the Makefile's -k gettext:2 (gettext(page, "text")) and -k N_
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext": (2,), "N_": None}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


@cache
def extracted() -> dict[str, list[str]]:
    """Every msgid in the templates and the Python sources, with where it occurs."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@cache
def german() -> Catalog:
    with GERMAN.open("rb") as po:
        return read_po(po, locale="de")


def de(message: str) -> str:
    """The German text the pages show for an English message, as it appears in HTML."""
    return str(escape(translations("de").gettext(message)))


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


@pytest.mark.slow
def test_extraction_finds_templates_python_pages_and_purposes() -> None:
    found = extracted()
    sources = {where.rsplit(":", 1)[0] for places in found.values() for where in places}
    assert "src/consentry/web/templates/home.html" in sources
    assert "src/consentry/web/pages/explain.py" in sources
    assert "src/consentry/purposes.py" in sources
    assert "Your music, your say over AI" in found
    assert "every co-owner must agree to training, and %(name)s has not" in found
    assert all(p.label in found and p.description in found for p in VOCABULARY)


def test_every_extracted_message_has_a_german_translation() -> None:
    catalog = german()
    missing = []
    for msgid, places in sorted(extracted().items()):
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{msgid!r} ({', '.join(places)})")
    assert not missing, (
        f"{len(missing)} message(s) without a German translation (run `make messages`, then "
        f"translate them in {GERMAN.relative_to(ROOT)}):\n" + "\n".join(missing))


def test_translations_keep_the_placeholders_of_their_message() -> None:
    catalog = german()
    wrong = [f"{m.id!r} -> {m.string!r}" for m in catalog
             if m.id and m.string and placeholders(str(m.id)) != placeholders(str(m.string))]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)
    problems = [f"{m.id!r}: {errors}" for m, errors in catalog.check()]
    assert not problems, "\n".join(problems)


def test_every_purpose_label_and_description_is_translated() -> None:
    for purpose in VOCABULARY:
        for text in (purpose.label, purpose.description):
            assert translations("de").gettext(text) != text, f"untranslated: {text!r}"


def test_pages_in_german(client: TestClient) -> None:
    home = client.get("/?lang=de")
    assert '<html lang="de">' in home.text
    assert de("Your music, your say over AI") in home.text
    assert "Your music, your say over AI" not in home.text
    assert de("Your music, your say over AI") != "Your music, your say over AI"

    signup = client.get("/signup", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in signup.text
    for field, label in [("display_name", "Artist name"), ("email", "E-mail address"),
                         ("password", "Password (at least 10 characters)")]:
        assert f'<label for="{field}">{de(label)}</label>' in signup.text
        assert label not in signup.text
    assert de("Create your artist account") in signup.text


def test_german_artist_sees_purposes_and_changes_in_german(
    client: TestClient, engine: Engine
) -> None:
    token = csrf(client.get("/signup?lang=de").text)
    sent = client.post("/signup", data={"email": "ada@example.org", "password": PASSWORD,
                                        "display_name": "Ada", "csrf_token": token})
    assert de("Check your e-mail") in sent.text
    client.post("/login", data={"email": "ada@example.org", "password": PASSWORD,
                                "csrf_token": token})
    verify_email(client, "ada@example.org")
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        catalogue.create_track(conn, "Erstes Lied", user.artist_id)
    page = client.get("/me/permissions")
    assert user.locale == "de" and '<html lang="de">' in page.text
    for purpose in VOCABULARY:
        assert de(purpose.label) in page.text and de(purpose.description) in page.text
        assert escape(purpose.label) not in page.text
    reason = de("off until you say yes")
    assert reason[:1].upper() + reason[1:] in page.text

    review = client.post("/me/permissions/review", data={
        "csrf_token": csrf(page.text), "all:train-generative": "allow"})
    assert f"{de('no answer')} → {de('Allow')}" in review.text


def test_label_agreements_name_their_uses_in_german(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label One")
        catalogue.create_agreement(conn, label.id, "Kein Training",
                                   frozenset({"train-generative", "voice-likeness"}))
        accounts.create_user(conn, "staff@label.example", PASSWORD, "Staff",
                             Role.RIGHTS_HOLDER, rights_holder_id=label.id, locale="de")
    login = client.get("/login")
    client.post("/login", data={"email": "staff@label.example", "password": PASSWORD,
                                "csrf_token": csrf(login.text)})
    page = client.get("/label").text
    generative, voice = (next(p for p in VOCABULARY if p.id == i)
                         for i in ("train-generative", "voice-likeness"))
    assert (f"{de('forbids')} {de(generative.public_label)}, {de(voice.public_label)}") in page


def test_error_pages_speak_german(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/nowhere", headers={"Accept-Language": "de"})
    assert page.status_code == 404
    assert "Unter dieser Adresse gibt es keine Seite." in page.text
    form = client.get("/signup", headers={"Accept-Language": "de"})
    refused = client.post("/signup", headers={"Accept-Language": "de"},
                          data={"email": "x@example.org", "password": "short",
                                "display_name": "X", "csrf_token": "forged"})
    assert refused.status_code == 403 and "Formular ist abgelaufen" in refused.text
    assert form.status_code == 200
