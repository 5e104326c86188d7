"""The watcher: no alarm on a redesign, an alarm on one AI sentence buried in a long page."""

from __future__ import annotations

from consentry.terms import compare_snapshots, snapshot_page
from tests.terms.pages import PARAGRAPHS, div_layout, long_page, semantic_layout

URL = "https://tunewave.example/terms"


def test_redesign_without_text_change_gives_no_alarm() -> None:
    old = snapshot_page(URL, semantic_layout(PARAGRAPHS), 1)
    new = snapshot_page(URL, div_layout(PARAGRAPHS), 2)
    diff = compare_snapshots(old, new)
    assert not diff.changed
    assert diff.changes == () and diff.ai_related == () and diff.level is None


def test_buried_ai_sentence_in_a_long_page_is_found() -> None:
    sentence = ("Content you upload may be used to inform, train, develop or serve as input to "
                "artificial intelligence technologies.")
    old = snapshot_page(URL, long_page(300), 1)
    new = snapshot_page(URL, div_layout(list(snapshot_page(URL, long_page(300, sentence), 2)
                                             .paragraphs)), 2)
    diff = compare_snapshots(old, new)
    assert diff.changed and diff.level == "material"
    assert len(diff.changes) == 1
    change = diff.ai_related[0]
    assert (change.kind, change.position) == ("modified", 200)
    assert change.new[0].endswith(sentence)
    reason = change.classification.reasons[0]
    assert reason.code == "ai-words-added"
    assert {"training", "artificial intelligence"} <= set(reason.terms)
    assert "ai-input" in reason.purposes


def test_non_ai_changes_are_reported_but_not_flagged() -> None:
    changed = [*PARAGRAPHS[:-1], "Be kind to other users.", "4. Contact"]
    diff = compare_snapshots(snapshot_page(URL, semantic_layout(PARAGRAPHS), 1),
                             snapshot_page(URL, semantic_layout(changed), 2))
    assert diff.changed and diff.ai_related == ()
    assert [c.kind for c in diff.changes] == ["modified"]
    assert diff.level == "minor"


def test_snapshot_hash_is_of_the_extracted_text() -> None:
    snap = snapshot_page(URL, "<main><p>A</p><p>B</p></main>", 5)
    assert snap.text == "A\n\nB"
    assert snap.text_hash == snapshot_page(URL, "<div><p>A</p>\n<div>B</div></div>", 6).text_hash
