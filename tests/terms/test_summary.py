"""The banner and e-mail summary: structured items, material first, corrections collapsed."""

from __future__ import annotations

from consentry.terms import parse_terms, review_terms, summarise
from tests.terms.samples import V1, V1_EDITORIAL, V2


def test_v2_summary_items() -> None:
    summary = summarise(review_terms(parse_terms(V1), parse_terms(V2)))
    assert summary.material
    assert summary.introduced_purposes == ("train-ai",)
    assert [(i.kind, i.level, i.number) for i in summary.items] == [
        ("now-mentions", "material", "2.1"),
        ("new-purpose", "material", None),
        ("renamed", "minor", "2.2"),
        ("added", "minor", "3"),
        ("moved", "minor", "6"),
        ("corrections", "editorial", None),
    ]
    first = summary.items[0]
    assert (first.clause_key, first.heading) == ("your-content/licence-to-us", "Licence to us")
    assert first.terms == ("training", "machine learning", "model")
    assert summary.items[1].purposes == ("train-ai",)
    assert summary.items[-1].count == 1


def test_english_fallback_sentences() -> None:
    summary = summarise(review_terms(parse_terms(V1), parse_terms(V2)))
    assert summary.english() == [
        "Section 2.1 'Licence to us' now mentions AI training, machine learning, AI models",
        "The terms now cover a new use, 'Train any AI model on my music'; it stays off for "
        "your music unless you allow it",
        "Section 'Recommendations' is now called 'Personalised listening'",
        "New section 3 'Community guidelines' was added",
        "Section 6 'Termination' moved",
        "1 correction of spelling, punctuation or numbering",
    ]


def test_editorial_only_change_is_one_line() -> None:
    summary = summarise(review_terms(parse_terms(V1), parse_terms(V1_EDITORIAL)))
    assert not summary.material
    assert [(i.kind, i.count) for i in summary.items] == [("corrections", 3)]


def test_removed_ai_clause_and_dropped_ai_words() -> None:
    old = parse_terms("## AI\n\nWe never train AI models on your music.\n\n## Fees\n\nNone.\n"
                      "\n## Voice\n\nWe never clone your voice or sell datasets.\n")
    new = parse_terms("## Fees\n\nNone.\n\n## Voice\n\nWe never sell anything.\n")
    items = summarise(review_terms(old, new)).items
    assert [(i.kind, i.clause_key) for i in items] == [
        ("removed", "ai"), ("no-longer-mentions", "voice")]
    assert items[0].english() == (
        "Section 'AI' was removed; it mentioned AI, AI training, AI models")
    assert items[1].terms == ("cloning", "voice", "dataset")


def test_no_change_no_summary() -> None:
    review = review_terms(parse_terms(V1), parse_terms(V1))
    assert review.level is None and not review.material
    assert summarise(review).items == ()


def test_ai_words_in_a_new_heading_are_material() -> None:
    old = parse_terms("## Licence to us\n\nWe host your music and stream it to listeners.\n")
    new = parse_terms("## Licence to us and AI\n\nWe host your music and stream it to listeners.\n")
    items = summarise(review_terms(old, new)).items
    assert [(i.kind, i.terms) for i in items] == [("now-mentions", ("AI",)),
                                                  ("new-purpose", ())]


def test_a_new_use_on_by_default_is_not_said_to_stay_off() -> None:
    """Recommendations are on unless an artist says no: a summary must not promise otherwise."""
    from consentry.services.terms_notices import describe
    from consentry.terms import SummaryItem

    item = SummaryItem("new-purpose", "material", purposes=("recommendations",))
    for line in (SummaryItem.english(item), describe(item, lambda text: text)):
        assert "stays off" not in line, line
        assert "'Recommend my music to listeners'; it is on for your music unless you say no" in (
            line)
    denied = SummaryItem("new-purpose", "material", purposes=("train-generative",))
    assert "stays off for your music unless you allow it" in describe(denied, lambda t: t)
