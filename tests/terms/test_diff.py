"""Aligning clauses: by key, then by similarity; renumbering and insertion are not moves."""

from __future__ import annotations

from itertools import pairwise

from consentry.terms import diff_terms, parse_terms, word_diff
from consentry.terms.diff import edits
from tests.terms.samples import V1, V2


def _kinds(old: str, new: str) -> dict[str, str]:
    return {c.key: c.kind for c in diff_terms(parse_terms(old), parse_terms(new)).changes}


def test_v1_to_v2_clause_by_clause() -> None:
    diff = diff_terms(parse_terms(V1), parse_terms(V2))
    assert {c.key: c.kind for c in diff.changes} == {
        "your-content/licence-to-us": "modified",
        "your-content/personalised-listening": "modified",
        "community-guidelines": "added",
        "fees-and-payouts": "renumbered",
        "termination": "moved",
    }
    renamed = next(c for c in diff.changes if c.key == "your-content/personalised-listening")
    assert renamed.heading_changed
    assert renamed.old is not None and renamed.old.key == "your-content/recommendations"
    assert [c.key for c in diff.changes] == [
        "your-content/licence-to-us", "your-content/personalised-listening",
        "community-guidelines", "fees-and-payouts", "termination"]


def test_word_diff_shows_the_inserted_sentence() -> None:
    diff = diff_terms(parse_terms(V1), parse_terms(V2))
    licence = diff.changes[0]
    inserted = [s.text for s in licence.text_segments if s.op == "insert"]
    assert [s.strip() for s in inserted] == [
        "We may also use your uploads to train machine learning models."]
    assert not [s for s in licence.text_segments if s.op == "delete"]
    assert "".join(s.text for s in licence.text_segments if s.op != "insert") == (
        licence.old.text if licence.old else "")


def test_renumbering_alone_is_reported_as_renumbered() -> None:
    old = "## 1. Fees\n\nTen euros.\n\n## 2. Termination\n\nAny time.\n"
    new = "## 1. Intro\n\nHello.\n\n## 2. Fees\n\nTen euros.\n\n## 3. Termination\n\nAny time.\n"
    assert _kinds(old, new) == {"intro": "added", "fees": "renumbered",
                                "termination": "renumbered"}


def test_renamed_clause_with_same_text_is_renamed() -> None:
    old = "## Payouts\n\nArtists are paid monthly by bank transfer to the account on file.\n"
    new = "## Getting paid\n\nArtists are paid monthly by bank transfer to the account on file.\n"
    diff = diff_terms(parse_terms(old), parse_terms(new))
    assert [(c.kind, c.old.key if c.old else None, c.key) for c in diff.changes] == [
        ("renamed", "payouts", "getting-paid")]


def test_moved_clause_is_one_move_not_a_cascade() -> None:
    sections = [f"## {name}\n\n{name} text number {i} with several words in it.\n"
                for i, name in enumerate(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"])]
    moved = [sections[i] for i in (0, 2, 3, 4, 1)]
    assert _kinds("\n".join(sections), "\n".join(moved)) == {"beta": "moved"}


def test_unrelated_clauses_are_removed_and_added_not_paired() -> None:
    old = "## Refunds\n\nRefunds are possible within fourteen days of purchase.\n"
    new = "## Privacy\n\nWe keep listening logs for ninety days only.\n"
    assert _kinds(old, new) == {"refunds": "removed", "privacy": "added"}


def test_whole_document_diff_is_a_unified_diff_of_the_markdown() -> None:
    diff = diff_terms(parse_terms(V1), parse_terms(V2))
    lines = diff.unified(context=0)
    assert lines[0].startswith("---") and lines[1].startswith("+++")
    assert "+## 3. Community guidelines" in lines
    assert "-## 3. Fees and payouts" in lines


def test_word_diff_merges_runs_and_round_trips() -> None:
    old, new = "We host your music.", "We host and stream your music!"
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert all(a.op != b.op for a, b in pairwise(segments))


def test_edits_carry_the_sentences_around_the_change() -> None:
    found = edits("We will not train AI. You may leave.", "We will train AI. You may leave.")
    assert len(found) == 1
    assert found[0].old_words == ("not",)
    assert found[0].old_sentences == ("We will not train AI.",)
    assert found[0].new_sentences == ()
