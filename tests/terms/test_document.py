"""Parsing a terms version into clauses, and the hash that public pages show."""

from __future__ import annotations

import hashlib

import pytest

from consentry.errors import InvalidInput
from consentry.terms import parse_terms, text_hash
from consentry.terms.document import split_numbering
from tests.terms.samples import V1


def test_clauses_follow_the_headings_in_order() -> None:
    doc = parse_terms(V1)
    assert doc.title == "Soundhaven Terms of Use"
    assert [c.key for c in doc.clauses] == [
        "preamble", "your-account", "your-content", "your-content/licence-to-us",
        "your-content/recommendations", "fees-and-payouts", "termination",
        "changes-to-these-terms"]
    licence = doc.clause("your-content/licence-to-us")
    assert licence is not None
    assert licence.number == "2.1"
    assert licence.heading == "Licence to us"
    assert licence.path == ("Your content", "Licence to us")
    assert licence.label == "2.1 Licence to us"
    assert "\n" not in licence.text
    assert licence.text.startswith("You grant us a worldwide, non-exclusive licence to host,")


def test_text_is_plain_and_normalised() -> None:
    doc = parse_terms(
        "## Use\n\nWe *may* use [your   music](https://x.test) for `search`.  \nSecond line."
        "\n\n- first item\n- second\u00a0item\n\nCafe\u0301 \u200bopen.\n")
    assert doc.title == ""
    assert doc.clauses[0].text == (
        "We may use your music for search. Second line.\nfirst item\nsecond item\nCafé open.")


def test_several_level_one_headings_are_clauses_not_a_title() -> None:
    doc = parse_terms("# Part A\n\nOne.\n\n# Part B\n\nTwo.\n")
    assert doc.title == ""
    assert [c.key for c in doc.clauses] == ["part-a", "part-b"]


def test_duplicate_headings_get_distinct_keys() -> None:
    doc = parse_terms("## Fees\n\nOne.\n\n## Fees\n\nTwo.\n")
    assert [c.key for c in doc.clauses] == ["fees", "fees~2"]


@pytest.mark.parametrize(("heading", "expected"), [
    ("4.2. Licence to us", ("4.2", "Licence to us")),
    ("Section 4 \u2013 Licence", ("4", "Licence")),
    ("§ 3 Fees", ("3", "Fees")),
    ("IV. Term", ("IV", "Term")),
    ("(b) Payouts", ("b", "Payouts")),
    ("A new licence", (None, "A new licence")),
    ("2024 update", (None, "2024 update")),
    ("AI training", (None, "AI training")),
])
def test_numbering_is_split_from_the_heading(heading: str,
                                             expected: tuple[str | None, str]) -> None:
    assert split_numbering(heading) == expected


def test_hash_is_sha256_of_utf8_with_only_line_endings_normalised() -> None:
    text = "# Terms\n\nCafé.\n"
    assert text_hash(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert text_hash(text.replace("\n", "\r\n")) == text_hash(text)
    assert text_hash(text.replace("\n", "\r")) == text_hash(text)
    assert text_hash(text + " ") != text_hash(text)
    assert text_hash("Cafe\u0301") != text_hash("Café")  # no Unicode normalisation
    assert parse_terms(text.replace("\n", "\r\n")).text_hash == text_hash(text)


def test_empty_terms_are_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_terms(" \n\n")


def test_html_in_the_terms_is_text_and_compared_as_text() -> None:
    """Pages show HTML in the terms as text, so a change hidden in a tag is still a change."""
    old = parse_terms("# T\n\n## 1. Use\n\nBe kind. <span>We never train AI.</span>\n")
    new = parse_terms("# T\n\n## 1. Use\n\nBe kind. <span>We train AI.</span>\n")
    assert "<span>We never train AI.</span>" in old.clauses[0].text
    assert old.clauses[0].text != new.clauses[0].text


def test_absurdly_long_terms_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at most 500,000 characters"):
        parse_terms("# Terms\n\n" + "word " * 120_000)
