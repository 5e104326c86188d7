"""The rights a file carries say what the decisions say, and never grant what was kept back."""

from __future__ import annotations

import pytest

from consentry.errors import InvalidInput
from consentry.purposes import VOCABULARY
from consentry.signals.file_rights import (
    ALLOWED,
    CONSTRAINED,
    NOT_ALLOWED,
    cawg_entries,
    file_rights,
    legacy_entries,
    split_ai_usage,
    training_mining,
)

URL = "https://music.example/tracks/42"
DEFAULTS = {p.id: p.default_allowed for p in VOCABULARY}
EVERYTHING = {p.id: True for p in VOCABULARY}


def rights(decisions: dict[str, bool], artists: tuple[str, ...] = ("Mara Quell",)):
    return file_rights("Low Tide", artists, 2026, URL, decisions)


def test_the_defaults_allow_no_ai_use_outside_the_platform() -> None:
    made = file_rights("Low Tide", ("Mara Quell",), 2026, URL, DEFAULTS,
                       dict.fromkeys(DEFAULTS, "platform-default"))
    assert made.copyright == "\u00a9 2026 Mara Quell"
    assert made.usage == "train-ai=n, ai-use=n, search=y"
    assert set(training_mining(DEFAULTS).uses().values()) == {NOT_ALLOWED}
    assert made.usage_sentence == (
        "AI use of this recording (set by the platform default) \u2014 not allowed: AI "
        f"training, generative AI training, use as AI input or data mining. Terms: {URL}")


def test_everything_allowed_is_said_in_every_vocabulary() -> None:
    made = rights(EVERYTHING, ("Mara Quell", "Jo Bell"))
    assert made.copyright == "\u00a9 2026 Mara Quell, Jo Bell"
    assert made.usage == "train-ai=y, ai-use=y, search=y"
    assert cawg_entries(made) == {
        "cawg.ai_training": {"use": ALLOWED}, "cawg.ai_generative_training": {"use": ALLOWED},
        "cawg.ai_inference": {"use": ALLOWED}, "cawg.data_mining": {"use": ALLOWED}}
    assert "allowed: AI training, generative AI training, use as AI input and data mining" in (
        made.usage_sentence)


def test_a_generative_opt_in_with_narrower_uses_kept_back_is_constrained_and_says_so() -> None:
    """Issue 16, scenario 3: generative training allowed, voice cloning and other companies'
    training not. The entries say "constrained" with the words, not a flat no."""
    decisions = dict(DEFAULTS, **{"train-generative": True})
    made = rights(decisions)
    entries = cawg_entries(made)
    assert entries["cawg.ai_generative_training"] == {
        "use": CONSTRAINED, "constraint_info": "training AI that generates music allowed; "
        "voice and likeness cloning and training by other companies not allowed"}
    assert entries["cawg.ai_training"]["use"] == CONSTRAINED
    assert entries["cawg.ai_inference"] == {"use": NOT_ALLOWED}
    assert legacy_entries(made)["c2pa.ai_generative_training"] == entries[
        "cawg.ai_generative_training"]
    assert "allowed in part: AI training (" in made.usage_sentence
    assert "not allowed: use as AI input" in made.usage_sentence


@pytest.mark.parametrize(("rule", "words"), [
    ("rights-holder-agreement", "the rights holder's agreement"),
    ("content-claim", "a content claim"),
    ("artist-default", "the artist"),
])
def test_the_sentence_names_who_set_the_restrictions(rule: str, words: str) -> None:
    """Issue 16, scenario 4: not "the artist" where a label's agreement or a claim denies."""
    training = {p.id for p in VOCABULARY if p.training}
    rules = {p: (rule if p in training else "platform-default") for p in DEFAULTS}
    made = file_rights("Low Tide", ("Mara Quell",), 2026, URL, DEFAULTS, rules)
    assert made.usage_sentence.startswith(
        f"AI use of this recording (set by {words} and the platform default)")


def test_generative_training_needs_the_artists_own_yes() -> None:
    """Every other training purpose allowed, generative left at its default: still no."""
    decisions = dict(EVERYTHING, **{"train-generative": False, "voice-likeness": False})
    uses = training_mining(decisions)
    assert (uses.ai_generative_training, uses.ai_training) == (NOT_ALLOWED, CONSTRAINED)
    without_generative = {k: v for k, v in EVERYTHING.items()
                          if k not in ("train-generative", "voice-likeness")}
    assert training_mining(without_generative).ai_generative_training == NOT_ALLOWED


def test_a_file_does_not_grant_third_parties_what_only_the_platform_has() -> None:
    """Platform training allowed, third-party training not: whoever reads the file is a
    third party, so neither training entry says "allowed": they are constrained, and say
    that training by other companies is not allowed (a reader without the words takes
    "constrained" as no)."""
    decisions = dict(EVERYTHING, **{"third-party-training": False})
    uses = training_mining(decisions)
    assert (uses.ai_training, uses.ai_generative_training) == (CONSTRAINED, CONSTRAINED)
    assert "training by other companies not allowed" in (
        uses.constraint("ai_generative_training") or "")
    assert uses.ai_inference == ALLOWED
    assert uses.data_mining == CONSTRAINED  # a reservation on any AI use limits mining
    assert rights(decisions).usage.startswith("train-ai=n")


def test_ai_input_alone_is_said_alone() -> None:
    made = rights(dict(DEFAULTS, **{"ai-input": True}))
    assert made.training_mining.ai_inference == ALLOWED
    assert "allowed: use as AI input; allowed in part: data mining (use as AI input " \
        "allowed; " in made.usage_sentence
    assert "not allowed: AI training or generative AI training." in made.usage_sentence


def test_nothing_decided_reads_as_no() -> None:
    made = rights({})
    assert made.usage == "train-ai=n"
    assert set(made.training_mining.uses().values()) == {NOT_ALLOWED}


def test_legacy_entries_mean_the_same_under_the_old_keys() -> None:
    made = rights(dict(DEFAULTS, **{"ai-input": True}))
    assert {k.replace("c2pa.", "cawg."): v for k, v in legacy_entries(made).items()} == (
        cawg_entries(made))


def test_the_usage_tag_splits_back_into_its_two_parts() -> None:
    made = rights(DEFAULTS)
    assert split_ai_usage(made.ai_usage_text) == (made.usage, made.usage_sentence)
    assert split_ai_usage("train-ai=n") == ("train-ai=n", None)


@pytest.mark.parametrize(("title", "artists", "year", "url"), [
    (" ", ("Mara",), 2026, URL),
    ("Low Tide", (" ",), 2026, URL),
    ("Low Tide", ("Mara",), 26, URL),
    ("Low Tide", ("Mara",), 2026, "ftp://music.example/x"),
    ("Low Tide", ("Mara",), 2026, "https://music.example/a b"),
    ("Low\nTide", ("Mara",), 2026, URL),
    ("Low Tide", ("Ma\x00ra",), 2026, URL),
])
def test_values_no_tag_can_hold_are_refused(title: str, artists: tuple[str, ...], year: int,
                                            url: str) -> None:
    with pytest.raises(InvalidInput):
        file_rights(title, artists, year, url, DEFAULTS)
