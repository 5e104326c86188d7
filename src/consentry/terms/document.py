"""A terms version as published: Markdown parsed into ordered clauses, and the hash of its text.

A clause is the text under one heading, down to the next heading of any level. Its key is made
from the heading path *without* the numbering ("your-content/licence-to-us"), because headings
survive renumbering far better than numbers do; the number is kept apart for display and for
spotting a renumbering.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from consentry.errors import InvalidInput
from consentry.terms.normalisation import normalise_line_endings, normalise_text

PREAMBLE_KEY = "preamble"
# "4.", "4.2", "Section 4:", "§ 4", "Article IV." or "(b)" before a heading's words; a bare letter
# or Roman numeral needs its dot or bracket so that "A new licence" keeps its "A".
_NUMBERING = re.compile(
    r"^(?:(?:section|article|clause|part|§)\s*)?"
    r"(?P<number>\d{1,3}(?:\.\d{1,3})*\.?|\(?[A-Za-z]\)|[A-Za-z]\.|[IVXLC]+[.)])"
    r"(?:\s*[:.\-\u2013\u2014)]\s*|\s+|$)", re.IGNORECASE)
_KEYWORD_NUMBER = re.compile(
    r"^(?:section|article|clause|part|§)\s*(?P<number>[IVXLC]+|\d{1,3})\b"
    r"\s*[:.\-\u2013\u2014]?\s*",
    re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    """The text under one heading: the unit that is compared, classified and summarised."""

    key: str
    number: str | None
    # The headings from the outermost section down to this one, for "Your content > Licence".
    heading: str
    path: tuple[str, ...]
    text: str
    position: int

    @property
    def label(self) -> str:
        """How people refer to it: "4.2 Licence to us", or the heading alone."""
        return f"{self.number} {self.heading}".strip() if self.number else self.heading


@dataclass(frozen=True)
class TermsDocument:
    """One terms version: its title, its clauses in order, its source and its hash."""

    title: str
    clauses: tuple[Clause, ...]
    source: str
    text_hash: str

    def clause(self, key: str) -> Clause | None:
        return next((c for c in self.clauses if c.key == key), None)

    @property
    def plain_text(self) -> str:
        """Headings and clause text, one block per clause: what the word lists are made of."""
        return "\n\n".join(f"{c.label}\n{c.text}".strip() for c in self.clauses)


def text_hash(text: str) -> str:
    """The sha256 (hex) of the published text as UTF-8 after :func:`normalise_line_endings`."""
    return hashlib.sha256(normalise_line_endings(text).encode("utf-8")).hexdigest()


def split_numbering(heading: str) -> tuple[str | None, str]:
    """("4.2", "Licence to us") from "4.2. Licence to us"; (None, heading) when unnumbered."""
    match = _KEYWORD_NUMBER.match(heading) or _NUMBERING.match(heading)
    if not match:
        return None, heading
    number = match.group("number").strip("().")
    rest = heading[match.end():].strip()
    return number, rest


def slug(text: str) -> str:
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
    return "-".join(words)


# Far above any real terms of service (the longest known run to ~100,000 characters), low
# enough that a diff of two versions stays fast.
MAX_CHARACTERS = 500_000


def parse_terms(markdown: str) -> TermsDocument:
    """Parse a terms version; a leading level-1 heading that is the only one is its title."""
    source = normalise_line_endings(markdown)
    if not source.strip():
        raise InvalidInput("a terms version needs some text")
    if len(source) > MAX_CHARACTERS:
        raise InvalidInput(f"a terms version holds at most {MAX_CHARACTERS:,} characters; "
                           f"this one has {len(source):,}")
    # HTML in the terms is shown as text (pages render with html off), so it is compared as
    # text too: nothing a reader sees can change unnoticed.
    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(source)
    blocks = list(_blocks(tokens))
    h1s = [text for level, text in blocks if level == 1]
    title = ""
    if blocks and blocks[0][0] == 1 and len(h1s) == 1:
        title, blocks = blocks[0][1], blocks[1:]
    return TermsDocument(title, tuple(_clauses(blocks)), source, text_hash(source))


def _blocks(tokens: Sequence[Token]) -> Iterator[tuple[int, str]]:
    """(heading level, text) for headings and (0, text) for every other block of text."""
    heading_level = 0
    for token in tokens:
        if token.type == "heading_open":
            heading_level = int(token.tag[1:])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "inline":
            yield heading_level, normalise_text(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            yield 0, normalise_text(token.content)


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _clauses(blocks: Sequence[tuple[int, str]]) -> Iterator[Clause]:
    stack: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    current: tuple[str, str | None, str, tuple[str, ...]] | None = None
    paragraphs: list[str] = []
    position = 0

    def finish() -> Clause | None:
        nonlocal position
        if current is None and not paragraphs:
            return None
        key, number, heading, path = current or (PREAMBLE_KEY, None, "", ())
        seen[key] = seen.get(key, 0) + 1
        unique = key if seen[key] == 1 else f"{key}~{seen[key]}"
        position += 1
        return Clause(unique, number, heading, path, "\n".join(paragraphs), position - 1)

    for level, text in blocks:
        if level == 0:
            if text:
                paragraphs.append(text)
            continue
        done = finish()
        if done:
            yield done
        number, heading = split_numbering(text)
        part = slug(heading) or f"section-{slug(number or '') or len(seen) + 1}"
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, part, heading or text))
        key = "/".join(s for _, s, _ in stack)
        current, paragraphs = (key, number, heading, tuple(h for _, _, h in stack)), []
    done = finish()
    if done:
        yield done
