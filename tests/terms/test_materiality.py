"""Material when the changed words (or the sentence they change) touch AI use; editorial for
corrections; minor otherwise. Every classification says why."""

from __future__ import annotations

import pytest

from consentry.terms import classify_texts, find_terms, parse_terms, review_terms
from consentry.terms.materiality import is_spelling_fix
from tests.terms.samples import V1, V1_EDITORIAL, V2


def test_v2_is_material_because_of_the_training_sentence() -> None:
    review = review_terms(parse_terms(V1), parse_terms(V2))
    assert review.material
    levels = {c.change.key: c.level for c in review.changes}
    assert levels == {
        "your-content/licence-to-us": "material",
        "your-content/personalised-listening": "minor",
        "community-guidelines": "minor",
        "fees-and-payouts": "editorial",
        "termination": "minor",
    }
    licence = review.changes[0].classification
    assert licence.reasons[0].code == "ai-words-added"
    assert licence.reasons[0].words == ("train", "machine learning", "models")
    assert "training" in licence.terms and "train-ai" in licence.purposes
    assert review.introduced_purposes == ("train-ai",)


def test_only_corrections_are_editorial() -> None:
    review = review_terms(parse_terms(V1), parse_terms(V1_EDITORIAL))
    assert not review.material
    assert review.level == "editorial"
    codes = {r.code for c in review.changes for r in c.classification.reasons}
    assert codes == {"spelling", "punctuation", "case"}
    assert review.introduced_purposes == ()


def test_typo_next_to_an_unchanged_ai_sentence_is_editorial() -> None:
    result = classify_texts(
        "We never train AI models on your music. Your uplaods stay yours.",
        "We never train AI models on your music. Your uploads stay yours.")
    assert result.level == "editorial"
    assert result.reasons[0].words == ("uplaods→uploads",)


def test_typo_inside_an_ai_word_is_editorial() -> None:
    assert classify_texts("We never use machine lerning.",
                          "We never use machine learning.").level == "editorial"


def test_a_new_sentence_about_ai_training_is_material() -> None:
    result = classify_texts(
        "We never train AI models on your music.",
        "We never train AI models on your music. We may train models on your lyrics.")
    assert result.level == "material"
    assert result.reasons[0].code == "ai-words-added"


def test_dropping_not_from_an_ai_sentence_is_material() -> None:
    result = classify_texts("We will not train AI models on your music.",
                            "We will train AI models on your music.")
    assert result.level == "material"
    reason = result.reasons[0]
    assert (reason.code, reason.words) == ("ai-sentence-changed", ("not",))
    assert set(reason.terms) >= {"AI", "training", "model"}


def test_not_to_now_is_never_a_typo() -> None:
    assert classify_texts("We do not sell data.", "We do now sell data.").level == "minor"
    assert not is_spelling_fix("not", "now")
    assert not is_spelling_fix("30", "31")


def test_removing_an_ai_promise_is_material() -> None:
    result = classify_texts("Your music is yours. We never train AI on it.",
                            "Your music is yours.")
    assert result.level == "material"
    assert result.reasons[0].code == "ai-words-removed"


def test_other_changes_are_minor_with_the_words() -> None:
    result = classify_texts("Payouts are monthly.", "Payouts are weekly.")
    assert result.level == "minor"
    assert result.reasons[0].words == ("monthly", "weekly")


@pytest.mark.parametrize(("old", "new", "code"), [
    ("Send an email.", "Send an e-mail.", "spelling"),
    ("Our organisation.", "Our organization.", "spelling"),
    ("Hello world.", "Hello  world!", "punctuation"),
    ("the platform", "The Platform", "case"),
])
def test_corrections(old: str, new: str, code: str) -> None:
    result = classify_texts(old, new)
    assert result.level == "editorial"
    assert code in {r.code for r in result.reasons}


@pytest.mark.parametrize("text", [
    "Send us an email, said the maid.", "We restrain spam.", "Our aim is fair pay.",
    "Remodelling the studio.", "We recommend that you keep copies.", "Email the main office.",
])
def test_ordinary_words_are_not_ai_terms(text: str) -> None:
    assert find_terms(text) == ()


@pytest.mark.parametrize(("text", "term"), [
    ("Models trained on uploads.", "training"), ("AI-generated tracks.", "AI"),
    ("Your datasets.", "dataset"), ("text and data mining", "data mining"),
    ("Voice cloning is banned.", "cloning"), ("No scraping.", "scraping"),
    ("Our crawlers respect robots.txt.", "crawling"), ("synthesised vocals", "synthesis"),
    ("Machine-learning features.", "machine learning"), ("ML features.", "ML"),
    ("Your likeness.", "likeness"), ("retrained weekly", "training"),
])
def test_ai_terms_with_inflections(text: str, term: str) -> None:
    assert term in {m.term.name for m in find_terms(text)}


def test_purposes_introduced_by_a_new_version() -> None:
    old = parse_terms("## Use\n\nWe use recommendations and fraud detection.\n")
    new = parse_terms(
        "## Use\n\nWe use recommendations and fraud detection. We may let partners train "
        "generative models on your uploads, and clone a voice.\n")
    review = review_terms(old, new)
    assert review.introduced_purposes == (
        "train-ai", "train-generative", "voice-likeness", "third-party-training")
