"""Snapshots of other platforms' public terms pages, and what changed between two of them.

The watcher keeps the extracted text, not the HTML, so a redesign compares equal; changed
paragraphs are classified with the same rules as our own terms, so a sentence about AI
training buried in a long page is flagged like one in ours.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from consentry.terms.extraction import extract_paragraphs, page_text_hash
from consentry.terms.materiality import Classification, Materiality, classify_texts

ParagraphChangeKind = Literal["added", "removed", "modified"]


@dataclass(frozen=True)
class PageSnapshot:
    """The terms text of one page at one fetch; ``fetched_at`` in microseconds UTC."""

    url: str
    fetched_at: int
    paragraphs: tuple[str, ...]
    text_hash: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class ParagraphChange:
    """A run of paragraphs that differ; ``position`` is the index of the first new one."""

    kind: ParagraphChangeKind
    position: int
    old: tuple[str, ...]
    new: tuple[str, ...]
    classification: Classification

    @property
    def ai_related(self) -> bool:
        return self.classification.material


@dataclass(frozen=True)
class SnapshotDiff:
    old: PageSnapshot
    new: PageSnapshot
    changes: tuple[ParagraphChange, ...]

    @property
    def changed(self) -> bool:
        return self.old.text_hash != self.new.text_hash

    @property
    def ai_related(self) -> tuple[ParagraphChange, ...]:
        """The changes to raise an alarm about."""
        return tuple(c for c in self.changes if c.ai_related)

    @property
    def level(self) -> Materiality | None:
        levels = {c.classification.level for c in self.changes}
        return next((lv for lv in ("material", "minor", "editorial") if lv in levels), None)


def snapshot_page(url: str, html: str, fetched_at: int) -> PageSnapshot:
    paragraphs = extract_paragraphs(html)
    return PageSnapshot(url, fetched_at, paragraphs, page_text_hash("\n\n".join(paragraphs)))


def compare_snapshots(old: PageSnapshot, new: PageSnapshot) -> SnapshotDiff:
    """Paragraph-level changes between two snapshots, each classified for AI relevance."""
    if old.text_hash == new.text_hash:
        return SnapshotDiff(old, new, ())
    matcher = difflib.SequenceMatcher(None, old.paragraphs, new.paragraphs, autojunk=False)
    changes: list[ParagraphChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = old.paragraphs[i1:i2], new.paragraphs[j1:j2]
        kind: ParagraphChangeKind = (
            "added" if not before else "removed" if not after else "modified")
        classification = classify_texts("\n".join(before), "\n".join(after))
        changes.append(ParagraphChange(kind, j1, before, after, classification))
    return SnapshotDiff(old, new, tuple(changes))
