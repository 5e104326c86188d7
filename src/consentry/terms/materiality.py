"""Which changes touch AI use (material), which are mere corrections (editorial), and why.

Only the *changed* words count, plus the sentence they stand in: fixing a typo next to an
unchanged sentence about AI is editorial, while inserting "not" into "we will train AI models"
is material though "not" is no AI word. A correction is a change of spacing, punctuation or
case, or a word replaced by one spelled almost alike; words that flip a meaning ("not",
"may", "never"...) and numbers are never corrections, whatever their spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from consentry.terms.diff import ClauseChange, Edit, TermsDiff, diff_terms, edits
from consentry.terms.document import TermsDocument
from consentry.terms.lexicon import find_terms, mentioned_purposes, term_names

Materiality = Literal["editorial", "minor", "material"]
ReasonCode = Literal[
    "ai-words-added", "ai-words-removed", "ai-sentence-changed",
    "clause-added", "clause-removed", "wording-changed", "renamed", "moved",
    "whitespace", "punctuation", "case", "spelling", "renumbered"]
_RANK: dict[Materiality, int] = {"editorial": 0, "minor": 1, "material": 2}
_LEVEL_OF: dict[ReasonCode, Materiality] = {
    "ai-words-added": "material", "ai-words-removed": "material",
    "ai-sentence-changed": "material", "clause-added": "minor", "clause-removed": "minor",
    "wording-changed": "minor", "renamed": "minor", "moved": "minor", "whitespace": "editorial",
    "punctuation": "editorial", "case": "editorial", "spelling": "editorial",
    "renumbered": "editorial"}
MEANINGFUL_WORDS = frozenset({
    "not", "no", "never", "nor", "may", "might", "must", "shall", "will", "can", "cannot",
    "only", "without", "with", "all", "any", "none", "and", "or", "opt", "in", "out"})


@dataclass(frozen=True)
class Reason:
    """One fact behind a classification: the words that triggered it, for the UI to quote."""

    code: ReasonCode
    words: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()

    @property
    def level(self) -> Materiality:
        return _LEVEL_OF[self.code]


@dataclass(frozen=True)
class Classification:
    """The level of a change and every reason for it, strongest first."""

    level: Materiality
    reasons: tuple[Reason, ...]

    @property
    def material(self) -> bool:
        return self.level == "material"

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for r in self.reasons for t in r.terms))

    @property
    def purposes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for r in self.reasons for p in r.purposes))


@dataclass(frozen=True)
class ClassifiedChange:
    change: ClauseChange
    classification: Classification

    @property
    def level(self) -> Materiality:
        return self.classification.level


@dataclass(frozen=True)
class TermsReview:
    """A diff with every change classified, and the purposes the new version brings in."""

    diff: TermsDiff
    changes: tuple[ClassifiedChange, ...]
    introduced_purposes: tuple[str, ...]

    @property
    def material(self) -> bool:
        return bool(self.introduced_purposes) or any(c.level == "material" for c in self.changes)

    @property
    def level(self) -> Materiality | None:
        """The strongest level of any change; ``None`` when nothing changed."""
        return max((c.level for c in self.changes), key=_RANK.__getitem__, default=None)


def review_terms(old: TermsDocument, new: TermsDocument) -> TermsReview:
    """Diff two versions and classify the result: what the admin sees before publishing."""
    return classify_diff(diff_terms(old, new))


def classify_diff(diff: TermsDiff) -> TermsReview:
    changes = tuple(ClassifiedChange(c, classify_change(c)) for c in diff.changes)
    return TermsReview(diff, changes, introduced_purposes(diff.old, diff.new))


def introduced_purposes(old: TermsDocument, new: TermsDocument) -> tuple[str, ...]:
    """Purpose ids the new version talks about and the old one never did, in vocabulary order:
    each must start as denied for existing content."""
    before = set(mentioned_purposes(f"{old.title}\n{old.plain_text}"))
    return tuple(p for p in mentioned_purposes(f"{new.title}\n{new.plain_text}")
                 if p not in before)


def classify_change(change: ClauseChange) -> Classification:
    old, new = change.old, change.new
    if change.kind in ("added", "removed"):
        clause = new or old
        assert clause is not None
        text = f"{clause.heading}\n{clause.text}"
        side = ("", text) if change.kind == "added" else (text, "")
        found = classify_texts(*side).reasons
        plain = Reason("clause-added" if change.kind == "added" else "clause-removed",
                       (clause.label,))
        return _combine([*[r for r in found if r.level == "material"], plain])
    assert old is not None and new is not None
    reasons = [*classify_texts(old.text, new.text).reasons,
               *_heading_reasons(old.heading, new.heading)]
    if change.moved or old.path[:-1] != new.path[:-1]:
        reasons.append(Reason("moved", (new.label,)))
    if old.number != new.number:
        reasons.append(Reason("renumbered", tuple(n or "" for n in (old.number, new.number))))
    return _combine(reasons)


def _heading_reasons(old: str, new: str) -> list[Reason]:
    """A heading only names its clause: it is material when it brings AI words in, and a
    mere renaming when it drops them (the clause's body says what applies)."""
    reasons = list(classify_texts(old, new).reasons)
    if any(r.code == "ai-words-added" for r in reasons):
        return [r for r in reasons if r.code == "ai-words-added"]
    if any(r.level != "editorial" for r in reasons):
        return [Reason("renamed", (old, new))]
    return reasons


def classify_texts(old: str, new: str) -> Classification:
    """Classify the differences of two texts (clause bodies, headings or page paragraphs)."""
    return _combine([r for edit in edits(old, new) for r in _edit_reasons(edit)])


def _edit_reasons(edit: Edit) -> list[Reason]:
    old_words, new_words = edit.old_words, edit.new_words
    if old_words == new_words:
        visible = edit.old_text.strip() or edit.new_text.strip()
        return [Reason("punctuation" if visible else "whitespace")]
    if [w.casefold() for w in old_words] == [w.casefold() for w in new_words]:
        return [Reason("case", new_words)]
    if "".join(old_words).casefold() == "".join(new_words).casefold():
        return [Reason("spelling", (f"{edit.old_text.strip()}→{edit.new_text.strip()}",))]
    if len(old_words) == len(new_words) and all(map(is_spelling_fix, old_words, new_words)):
        return [Reason("spelling", tuple(f"{a}→{b}" for a, b in zip(old_words, new_words,
                                                                    strict=True) if a != b))]
    reasons: list[Reason] = []
    sides: tuple[tuple[ReasonCode, str], ...] = (
        ("ai-words-added", edit.new_text), ("ai-words-removed", edit.old_text))
    for code, text in sides:
        matches = find_terms(text)
        if matches:
            reasons.append(Reason(code, tuple(dict.fromkeys(m.words for m in matches)),
                                  term_names(matches), mentioned_purposes(text)))
    sentences = (*edit.old_sentences, *edit.new_sentences)
    context = find_terms("\n".join(sentences))
    if context and not reasons:
        reasons.append(Reason("ai-sentence-changed", (*old_words, *new_words),
                              term_names(context), mentioned_purposes("\n".join(sentences))))
    return reasons or [Reason("wording-changed", (*old_words, *new_words))]


def is_spelling_fix(old: str, new: str) -> bool:
    """Same word, or one spelled almost alike and long enough that it cannot be another word
    of the same role; never a number or a word that flips a meaning."""
    a, b = old.casefold(), new.casefold()
    if a == b:
        return True
    if {a, b} & MEANINGFUL_WORDS or any(ch.isdigit() for ch in a + b):
        return False
    shortest = min(len(a), len(b))
    allowed = 2 if shortest >= 8 else 1 if shortest >= 4 else 0
    return allowed > 0 and _edit_distance(a, b, allowed) <= allowed


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters is one edit), capped past
    ``limit`` so that long unrelated words cost little."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _combine(reasons: Iterable[Reason]) -> Classification:
    """Merge reasons of one code, strongest level first; no reasons means editorial."""
    merged: dict[ReasonCode, Reason] = {}
    for reason in reasons:
        seen = merged.get(reason.code)
        merged[reason.code] = reason if seen is None else Reason(
            reason.code, _union(seen.words, reason.words), _union(seen.terms, reason.terms),
            _union(seen.purposes, reason.purposes))
    ordered = sorted(merged.values(), key=lambda r: -_RANK[r.level])
    level = ordered[0].level if ordered else "editorial"
    return Classification(level, tuple(ordered))


def _union(a: Sequence[str], b: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))
