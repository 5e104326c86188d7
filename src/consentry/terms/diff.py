"""Clause-by-clause comparison of two terms versions, with word-level diffs for display.

Clauses are paired by key first, then the rest by text similarity, so a renamed, renumbered or
moved clause is shown as that and not as one clause removed and another added. A clause counts
as moved only when it leaves the longest run of clauses that kept their order: inserting one
section must not make every later section look moved.
"""

from __future__ import annotations

import difflib
import heapq
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from consentry.terms.document import Clause, TermsDocument

ChangeKind = Literal["added", "removed", "modified", "renamed", "moved", "renumbered"]
SegmentOp = Literal["equal", "insert", "delete"]
SIMILARITY_THRESHOLD = 0.5
_CANDIDATES_PER_CLAUSE = 5
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]|\s+")
_SENTENCE_END = frozenset(".!?;")


@dataclass(frozen=True)
class Segment:
    """A run of text that is kept, inserted or deleted; a display shows them in order."""

    op: SegmentOp
    text: str


@dataclass(frozen=True)
class Edit:
    """One place where the texts differ, with the whole sentences around it on each side."""

    old_text: str
    new_text: str
    old_sentences: tuple[str, ...]
    new_sentences: tuple[str, ...]

    @property
    def old_words(self) -> tuple[str, ...]:
        return tuple(t for t in tokenize(self.old_text) if _is_word(t))

    @property
    def new_words(self) -> tuple[str, ...]:
        return tuple(t for t in tokenize(self.new_text) if _is_word(t))


@dataclass(frozen=True)
class ClauseChange:
    """How one clause changed between two versions; unchanged clauses have none."""

    kind: ChangeKind
    old: Clause | None
    new: Clause | None
    similarity: float
    text_segments: tuple[Segment, ...]
    heading_segments: tuple[Segment, ...]
    moved: bool = False

    @property
    def key(self) -> str:
        clause = self.new or self.old
        assert clause is not None
        return clause.key

    @property
    def heading_changed(self) -> bool:
        return any(s.op != "equal" for s in self.heading_segments)

    @property
    def number_changed(self) -> bool:
        return bool(self.old and self.new and self.old.number != self.new.number)


@dataclass(frozen=True)
class TermsDiff:
    """Every clause change from ``old`` to ``new``, in the order of the new version."""

    old: TermsDocument
    new: TermsDocument
    changes: tuple[ClauseChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def unified(self, context: int = 3) -> tuple[str, ...]:
        """The whole-document diff of the Markdown sources, as unified-diff lines."""
        return tuple(difflib.unified_diff(
            self.old.source.splitlines(), self.new.source.splitlines(),
            fromfile=self.old.text_hash[:12], tofile=self.new.text_hash[:12],
            n=context, lineterm=""))


def tokenize(text: str) -> list[str]:
    """Words, single punctuation marks and runs of whitespace; joined, they give the text back."""
    return _TOKEN.findall(text)


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The word-level diff of two texts, adjacent runs of one kind merged."""
    a, b = tokenize(old), tokenize(new)
    segments: list[Segment] = []

    def add(op: SegmentOp, tokens: Sequence[str]) -> None:
        if not tokens:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + "".join(tokens))
        else:
            segments.append(Segment(op, "".join(tokens)))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return tuple(segments)


def edits(old: str, new: str) -> tuple[Edit, ...]:
    """Each differing place of two texts, with the sentences its changed words stand in."""
    a, b = tokenize(old), tokenize(new)
    sentences_a, sentences_b = _sentences(a), _sentences(b)
    found: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            found.append(Edit(
                "".join(a[i1:i2]), "".join(b[j1:j2]),
                _context(a, sentences_a, i1, i2), _context(b, sentences_b, j1, j2)))
    return tuple(found)


def _sentences(tokens: Sequence[str]) -> list[int]:
    """The sentence number of each token; a sentence ends at . ! ? ; or a line break."""
    ids, current, ended = [], 0, False
    for token in tokens:
        if token.isspace() and (ended or "\n" in token):
            ids.append(current)
            current, ended = current + 1, False
            continue
        ids.append(current)
        ended = token in _SENTENCE_END
    return ids


def _context(tokens: Sequence[str], ids: Sequence[int], start: int, end: int) -> tuple[str, ...]:
    """The sentences holding the changed words; bare spaces and punctuation hold none."""
    touched = sorted({ids[i] for i in range(start, end) if _is_word(tokens[i])})
    return tuple("".join(t for t, s in zip(tokens, ids, strict=True) if s == n).strip()
                 for n in touched)


def similarity(old: Clause, new: Clause) -> float:
    """How alike two clauses read, from 0 to 1, on their words (heading included)."""
    a, b = _clause_words(old), _clause_words(new)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a or b else 1.0


def _clause_words(clause: Clause) -> list[str]:
    return [t.casefold() for t in tokenize(f"{clause.heading} {clause.text}") if _is_word(t)]


def diff_terms(old: TermsDocument, new: TermsDocument,
               threshold: float = SIMILARITY_THRESHOLD) -> TermsDiff:
    """Align the clauses of two versions and describe every change."""
    pairs = _align(old.clauses, new.clauses, threshold)
    moved = _moved(pairs)
    matched_old = {o.position for o, _, _ in pairs}
    matched_new = {n.position for _, n, _ in pairs}
    changes: list[tuple[float, ClauseChange]] = []
    for o, n, score in pairs:
        change = _pair_change(o, n, score, (o.position, n.position) in moved)
        if change is not None:
            changes.append((n.position, change))
    for n in new.clauses:
        if n.position not in matched_new:
            changes.append((n.position, _one_sided("added", None, n)))
    new_of_old = {o.position: n.position for o, n, _ in pairs}
    for o in old.clauses:
        if o.position not in matched_old:
            before = [new_of_old[p] for p in range(o.position) if p in new_of_old]
            changes.append(((max(before) if before else -1) + 0.5, _one_sided("removed", o, None)))
    changes.sort(key=lambda item: item[0])
    return TermsDiff(old, new, tuple(change for _, change in changes))


def _align(old: Sequence[Clause], new: Sequence[Clause],
           threshold: float) -> list[tuple[Clause, Clause, float]]:
    by_key = {c.key: c for c in new}
    pairs = [(o, by_key[o.key], similarity(o, by_key[o.key])) for o in old if o.key in by_key]
    paired_keys = {o.key for o, _, _ in pairs}
    rest_old = [o for o in old if o.key not in paired_keys]
    rest_new = [n for n in new if n.key not in paired_keys]
    candidates = sorted(_candidates(rest_old, rest_new, threshold),
                        key=lambda c: (-c[0], c[1], c[2]))
    used_old: set[int] = set()  # positions
    used_new: set[int] = set()
    for _, po, pn, o, n in candidates:
        if po in used_old or pn in used_new:
            continue
        score = similarity(o, n)
        if score >= threshold:
            pairs.append((o, n, score))
            used_old.add(po)
            used_new.add(pn)
    return sorted(pairs, key=lambda p: p[0].position)


def _candidates(old: Sequence[Clause], new: Sequence[Clause],
                threshold: float) -> list[tuple[float, int, int, Clause, Clause]]:
    """For each new clause, the few old ones whose shared words reach ``threshold``. Word
    order is ignored here (the multiset ratio bounds the ordered one from above and costs
    linear time) and only the best few are kept, so that a wholesale renaming of hundreds of
    clauses stays affordable; the ordered ratio is computed later for those only."""
    old_words = [_clause_words(o) for o in old]
    found = []
    matcher: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None, autojunk=False)
    for n in new:
        new_words = _clause_words(n)
        matcher.set_seq2(new_words)
        scores = []
        for o, words in zip(old, old_words, strict=True):
            matcher.set_seq1(words)
            score = matcher.quick_ratio() if words or new_words else 1.0
            if score >= threshold:
                scores.append((score, o.position, n.position, o, n))
        found += heapq.nlargest(_CANDIDATES_PER_CLAUSE, scores, key=lambda c: (c[0], -c[1]))
    return found


def _moved(pairs: Sequence[tuple[Clause, Clause, float]]) -> set[tuple[int, int]]:
    """The pairs outside a longest increasing run of new positions (in old order)."""
    positions = [n.position for _, n, _ in pairs]
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(positions)
    for i, p in enumerate(positions):
        k = bisect_left(tails, p)
        if k == len(tails):
            tails.append(p)
            tail_index.append(i)
        else:
            tails[k], tail_index[k] = p, i
        parent[i] = tail_index[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return {(o.position, n.position) for idx, (o, n, _) in enumerate(pairs) if idx not in keep}


def _pair_change(old: Clause, new: Clause, score: float, moved: bool) -> ClauseChange | None:
    text = word_diff(old.text, new.text)
    heading = word_diff(old.heading, new.heading)
    text_changed = any(s.op != "equal" for s in text)
    heading_changed = any(s.op != "equal" for s in heading)
    kind: ChangeKind
    if text_changed:
        kind = "modified"
    elif heading_changed:
        kind = "renamed"
    elif moved or old.path != new.path:
        kind = "moved"
    elif old.number != new.number:
        kind = "renumbered"
    else:
        return None
    return ClauseChange(kind, old, new, score, text, heading, moved)


def _one_sided(kind: ChangeKind, old: Clause | None, new: Clause | None) -> ClauseChange:
    text = word_diff(old.text if old else "", new.text if new else "")
    heading = word_diff(old.heading if old else "", new.heading if new else "")
    return ClauseChange(kind, old, new, 0.0, text, heading)
