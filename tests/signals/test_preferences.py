"""Deriving the signals from the purposes, and the grammar of what goes on the wire."""

from __future__ import annotations

import http_sfv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.errors import InvalidInput
from consentry.purposes import VOCABULARY
from consentry.signals.preferences import (
    ContentPreferences,
    content_signal,
    content_usage_header,
    derive_preferences,
    html_meta,
    robots_directives,
    tdm_headers,
)

ALL_ALLOWED = {p.id: True for p in VOCABULARY}
POLICY = "https://music.example/tdm.json"


def _sf_tokens(value: str) -> dict[str, str]:
    """Parse as an RFC 9651 Dictionary and read every member back as a Token."""
    parsed = http_sfv.Dictionary()
    parsed.parse(value.encode("ascii"))
    tokens = {key: member.value for key, member in parsed.items()}
    assert all(isinstance(token, http_sfv.Token) for token in tokens.values())
    return {key: str(token) for key, token in tokens.items()}


def _denying(*purposes: str) -> dict[str, bool]:
    return ALL_ALLOWED | dict.fromkeys(purposes, False)


def test_everything_allowed_says_yes_everywhere() -> None:
    prefs = derive_preferences(ALL_ALLOWED)
    assert _sf_tokens(content_usage_header(prefs) or "") == {"train-ai": "y", "ai-use": "y",
                                                             "search": "y"}
    assert content_signal(prefs) == "search=yes, ai-input=yes, ai-train=yes"
    assert not prefs.tdm_reserved and not prefs.noai and not prefs.reserves_training
    assert robots_directives(prefs) is None
    assert tdm_headers(prefs, POLICY) == {"tdm-reservation": "0"}
    assert html_meta(prefs, POLICY) == [("tdm-reservation", "0")]


def test_denying_generative_training_says_no_to_training_only() -> None:
    prefs = derive_preferences(_denying("train-generative"))
    assert content_usage_header(prefs) == "train-ai=n, ai-use=y, search=y"
    assert _sf_tokens(content_usage_header(prefs) or "") == {"train-ai": "n", "ai-use": "y",
                                                             "search": "y"}
    assert content_signal(prefs) == "search=yes, ai-input=yes, ai-train=no"
    assert prefs.tdm_reserved and prefs.noai and prefs.reserves_training
    assert robots_directives(prefs) == "noai, noimageai"
    assert tdm_headers(prefs, POLICY) == {"tdm-reservation": "1", "tdm-policy": POLICY}
    assert html_meta(prefs, POLICY) == [
        ("robots", "noai, noimageai"), ("tdm-reservation", "1"), ("tdm-policy", POLICY)]


def test_denying_one_company_is_enough_for_the_coarse_categories() -> None:
    prefs = derive_preferences(ALL_ALLOWED | {"third-party-training:acme": False})
    assert prefs.train_ai is False and prefs.ai_train is False and prefs.tdm_reserved


def test_denying_ai_input_reserves_tdm_but_leaves_training_alone() -> None:
    prefs = derive_preferences(_denying("ai-input"))
    assert content_signal(prefs) == "search=yes, ai-input=no, ai-train=yes"
    assert content_usage_header(prefs) == "train-ai=y, ai-use=n, search=y"
    assert prefs.tdm_reserved and prefs.noai and not prefs.reserves_training
    assert tdm_headers(prefs) == {"tdm-reservation": "1"}


def test_internal_uses_say_nothing_public() -> None:
    prefs = derive_preferences(_denying("recommendations", "fraud-detection"))
    assert prefs == derive_preferences(ALL_ALLOWED)


def test_undecided_categories_are_left_out_not_guessed() -> None:
    prefs = derive_preferences({"ai-input": False})
    assert content_usage_header(prefs) == "ai-use=n"
    assert content_signal(prefs) == "ai-input=no"
    assert content_usage_header(derive_preferences({})) is None
    assert derive_preferences({}) == ContentPreferences(None, None, None, None, None, None,
                                                        tdm_reserved=False, noai=False)


def test_a_policy_url_cannot_smuggle_a_header() -> None:
    prefs = derive_preferences(_denying("train-ai"))
    with pytest.raises(InvalidInput):
        tdm_headers(prefs, POLICY + "\r\nSet-Cookie: a=b")


@given(st.dictionaries(st.sampled_from([p.id for p in VOCABULARY]
                                       + ["third-party-training:acme"]), st.booleans()))
def test_any_decisions_give_well_formed_signals(decisions: dict[str, bool]) -> None:
    prefs = derive_preferences(decisions)
    header = content_usage_header(prefs)
    if header is not None:
        tokens = _sf_tokens(header)
        assert set(tokens) <= {"train-ai", "ai-use", "search"}
        assert set(tokens.values()) <= {"y", "n"}
        for key, field in (("train-ai", prefs.train_ai), ("ai-use", prefs.ai_use),
                           ("search", prefs.search)):
            assert tokens.get(key) == (None if field is None else "yn"[not field])
    denied = {pid for pid, allowed in decisions.items() if not allowed}
    # aipref -08's train-ai is generative training: analysis models are in no category
    assert prefs.train_ai is not (bool(denied & {"train-ai", "train-generative",
                                                 "voice-likeness",
                                                 "third-party-training",
                                                 "third-party-training:acme"}))
    assert prefs.tdm_reserved == prefs.noai == (prefs.reserves_training
                                                or prefs.ai_input is False)


def test_vocab_08_categories_train_ai_is_generative_and_ai_use_is_input() -> None:
    """draft-ietf-aipref-vocab-08: train-ai covers generative models only, ai-use is a model's
    input at answer time; denying analysis-only training says nothing in Content-Usage."""
    analysis_only = derive_preferences(_denying("train-non-generative"))
    assert _sf_tokens(content_usage_header(analysis_only) or "")["train-ai"] == "y"
    assert analysis_only.ai_train is False  # Content Signals' ai-train covers any training
    no_input = derive_preferences(_denying("ai-input"))
    assert _sf_tokens(content_usage_header(no_input) or "")["ai-use"] == "n"
