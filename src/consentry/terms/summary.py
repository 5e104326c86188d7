"""A plain-language summary of a terms change, for the in-app banner and the notice e-mail.

The summary is structured (a kind plus the clause, AI terms and purposes it is about) so that
the web layer can translate each kind with its own message; :meth:`SummaryItem.english` is the
fallback wording and the reference for translators. Material items come first, and the many
corrections of a careful edit collapse into one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from consentry.purposes import get_purpose
from consentry.terms.document import Clause
from consentry.terms.materiality import ClassifiedChange, Materiality, TermsReview

SummaryKind = Literal[
    "now-mentions", "no-longer-mentions", "ai-wording-changed", "new-purpose",
    "added", "removed", "modified", "renamed", "moved", "renumbered", "corrections"]
_TERM_WORDING = {
    "training": "AI training", "model": "AI models", "dataset": "datasets",
    "voice": "your voice", "likeness": "your likeness", "cloning": "cloning",
    "generative": "generating content", "synthesis": "synthesis", "crawling": "crawlers",
}


@dataclass(frozen=True)
class SummaryItem:
    """One line of the summary: what kind of change, where, and about which AI uses."""

    kind: SummaryKind
    level: Materiality
    clause_key: str | None = None
    number: str | None = None
    heading: str | None = None
    old_heading: str | None = None
    terms: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    count: int = 0

    def english(self) -> str:
        """The English sentence for this item (the web layer translates by ``kind``)."""
        where = _where(self.number, self.heading)
        terms = ", ".join(_TERM_WORDING.get(t, t) for t in self.terms)
        match self.kind:
            case "now-mentions":
                return f"{where} now mentions {terms}"
            case "no-longer-mentions":
                return f"{where} no longer mentions {terms}"
            case "ai-wording-changed":
                return f"{where} changes what it says about {terms}"
            case "new-purpose":
                purpose = get_purpose(self.purposes[0])
                if purpose.default_allowed:
                    return (f"The terms now cover a new use, '{purpose.label}'; it is on for "
                            "your music unless you say no")
                return (f"The terms now cover a new use, '{purpose.label}'; it stays off for "
                        "your music unless you allow it")
            case "added":
                return f"New {where[0].lower()}{where[1:]}" + (
                    f" mentions {terms}" if terms else " was added")
            case "removed":
                return f"{where} was removed" + (f"; it mentioned {terms}" if terms else "")
            case "renamed":
                return f"{_where(None, self.old_heading)} is now called '{self.heading}'"
            case "moved":
                return f"{where} moved"
            case "modified":
                return f"{where} was reworded"
            case "renumbered":
                return f"{where} was renumbered"
            case "corrections":
                noun = "correction" if self.count == 1 else "corrections"
                return f"{self.count} {noun} of spelling, punctuation or numbering"


@dataclass(frozen=True)
class TermsSummary:
    items: tuple[SummaryItem, ...]
    material: bool
    introduced_purposes: tuple[str, ...]

    def english(self) -> list[str]:
        return [item.english() for item in self.items]


def summarise(review: TermsReview) -> TermsSummary:
    """The items of a review: material first, then new purposes, other changes, corrections."""
    material: list[SummaryItem] = []
    minor: list[SummaryItem] = []
    corrections = 0
    for change in review.changes:
        if change.level == "editorial":
            corrections += 1
        elif change.level == "material":
            material.extend(_material_items(change))
        else:
            kind = change.change.kind
            renamed = kind == "modified" and change.change.heading_changed
            minor.append(_item(change, "renamed" if renamed else kind, ()))
    purposes = [SummaryItem("new-purpose", "material", purposes=(p,))
                for p in review.introduced_purposes]
    tail = [SummaryItem("corrections", "editorial", count=corrections)] if corrections else []
    return TermsSummary((*material, *purposes, *minor, *tail), review.material,
                        review.introduced_purposes)


def _material_items(change: ClassifiedChange) -> list[SummaryItem]:
    reasons = {r.code: r for r in change.classification.reasons}
    kind = change.change.kind
    if kind in ("added", "removed"):
        return [_item(change, kind, change.classification.terms)]
    items: list[SummaryItem] = []
    added = reasons.get("ai-words-added")
    removed = reasons.get("ai-words-removed")
    if added:
        items.append(_item(change, "now-mentions", added.terms))
    if removed and (gone := tuple(t for t in removed.terms if not added or t not in added.terms)):
        items.append(_item(change, "no-longer-mentions", gone))
    if not items:
        items.append(_item(change, "ai-wording-changed", change.classification.terms))
    return items


def _item(change: ClassifiedChange, kind: SummaryKind, terms: tuple[str, ...]) -> SummaryItem:
    clause: Clause | None = change.change.new or change.change.old
    old = change.change.old
    assert clause is not None
    return SummaryItem(kind, change.level, clause.key, clause.number, clause.heading,
                       old.heading if old else None, terms, change.classification.purposes)


def _where(number: str | None, heading: str | None) -> str:
    if not heading and not number:
        return "The introduction"
    if not heading:
        return f"Section {number}"
    return f"Section {number} '{heading}'" if number else f"Section '{heading}'"
