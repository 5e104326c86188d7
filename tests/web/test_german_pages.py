"""German pages read as written by a German speaker (issue 17): every visible word of the
main pages is German or a name, the catalogue addresses the reader as "Sie" only, and dates
follow the German form.

An English word is any word of the English source messages that no German translation uses;
the pages' visible text (outside content marked with another ``lang``, such as terms written
in English) may hold none of them, except the names of the demo world and known brands.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.demo import DEMO_PASSWORD, seed_demo
from consentry.demo.terms import seed_first_terms, seed_new_terms
from consentry.settings import Settings
from tests.web.test_pages import csrf
from tests.web.test_translations import german

WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base"}
NAMES = {  # the demo world's names and titles, brands and units
    "mara", "lind", "juno", "vale", "the", "flight", "kofi", "mensah", "northwind", "records",
    "salt", "and", "static", "low", "tide", "open", "water", "signal", "fire", "harmattan",
    "red", "earth", "soundlab", "ai", "recommendations", "team", "staff", "platform", "admin",
    "consentry", "utc", "sha", "google", "bing", "chatgpt", "isrc", "id", "de", "en", "no",
    "catalogue", "licence", "training", "demo", "example", "acme", "audio", "wav", "flac",
    "ogg", "mp", "json", "api", "log", "verify", "receipt",
}


class VisibleText(HTMLParser):
    """The text a reader sees, without scripts, styles and content in another language."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        named = dict(attrs)
        lang = named.get("lang")
        # Keys and hashes are marked translate="no": no language, and random letters in them
        # (the log key is made per test run) would read as English words now and then.
        hidden = (tag in ("script", "style", "title") or (lang is not None and lang != "de")
                  or named.get("translate") == "no")
        self.stack.append((tag, hidden or any(h for _, h in self.stack[-1:])))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def visible_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {w.lower() for w in WORD.findall(" ".join(parser.parts))}


@cache
def english_words() -> frozenset[str]:
    source, translated = set(), set()
    for message in german():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        source |= {w.lower() for text in ids if text for w in WORD.findall(text)}
        translated |= {w.lower() for text in strings if text for w in WORD.findall(text)}
    return frozenset(source - translated - NAMES)


def english_on(html: str) -> set[str]:
    return visible_words(html) & english_words()


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> None:
    """The demo world in the order ``consentry demo`` seeds it."""
    with engine.begin() as conn:
        seed_first_terms(conn, settings.notice_days, settings.base_url)
        seed_demo(conn)
        seed_new_terms(conn, settings.notice_days, settings.base_url)


def log_in(client: TestClient, who: str) -> None:
    client.post("/logout", data={"csrf_token": csrf(client.get("/login?lang=de").text)})
    form = client.get("/login?lang=de").text
    client.post("/login", data={"email": f"{who}@demo.consentry.example",
                                "password": DEMO_PASSWORD, "csrf_token": csrf(form)})


def test_the_check_finds_english_and_lets_german_and_names_through() -> None:
    assert english_on("<p>Abschnitt 2 Your music</p>") == {"your", "music"}
    assert english_on('<p>Abschnitt 2 <span lang="en">Your music</span></p>') == set()
    assert english_on('<p>Schlüssel <code translate="no">log+1a2b+we/be=</code></p>') == set()
    assert english_on("<p>Mara Lind: Salt and Static ist erlaubt</p>") == set()


@pytest.mark.slow
def test_main_pages_hold_no_english_words(client: TestClient, demo: None) -> None:
    found: dict[str, set[str]] = {}

    def check(path: str, html: str) -> None:
        assert '<html lang="de">' in html, path
        if english := english_on(html):
            found[path] = english

    for path in ("/", "/login", "/signup", "/terms", "/terms/history", "/tracks/1",
                 "/tracks/3", "/artists/1"):
        check(path, client.get(path + "?lang=de").text)
    log_in(client, "mara")
    for path in ("/me", "/me/permissions", "/me/history", "/terms/review"):
        check(path, client.get(path).text)
    page = client.get("/me/permissions").text
    check("review", client.post("/me/permissions/review", data={
        "csrf_token": csrf(page), "all:train-ai": "deny", "company": "acme"}).text)
    log_in(client, "label")
    check("/label", client.get("/label").text)
    log_in(client, "admin")
    check("/admin", client.get("/admin").text)
    assert not found, f"English words on German pages: {found}"


def test_the_german_catalogue_says_sie_never_du() -> None:
    informal = re.compile(r"\b(du|dich|dir|dein\w*|euch|euer\w*|hast|bist|kannst|willst)\b",
                          re.IGNORECASE)
    wrong = [f"{m.id!r}: {m.string!r}" for m in german()
             if m.id and informal.search(" ".join(m.string) if isinstance(m.string, tuple)
                                         else m.string or "")]
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_dates_on_german_pages_are_written_the_german_way(
    client: TestClient, demo: None
) -> None:
    log_in(client, "mara")
    for path in ("/me", "/me/history", "/terms/review", "/terms", "/me/permissions"):
        parser = VisibleText()
        parser.feed(client.get(path).text)
        text = " ".join(parser.parts)
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), (path, text)
    assert re.search(r"\b\d\d\.\d\d\.20\d\d\b", text)
