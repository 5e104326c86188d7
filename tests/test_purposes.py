"""The vocabulary: hierarchy, chains, per-company purposes, and unknown ids."""

from __future__ import annotations

import pytest

from consentry.errors import UnknownPurpose
from consentry.purposes import VOCABULARY, allow_chain, deny_chain, get_purpose, valid_ids


def test_vocabulary_covers_the_platform_uses_of_the_seeds() -> None:
    ids = {p.id for p in VOCABULARY}
    assert {"recommendations", "content-organisation", "fraud-detection",
            "content-identification", "train-non-generative", "train-generative",
            "voice-likeness", "third-party-training", "train-ai"} <= ids
    assert all(p.label and p.description for p in VOCABULARY)
    assert all(p.parent is None or p.parent in ids for p in VOCABULARY)


def test_every_training_purpose_sits_under_train_ai() -> None:
    for purpose in VOCABULARY:
        assert purpose.training == ("train-ai" in deny_chain(purpose.id)), purpose.id


def test_chains() -> None:
    assert deny_chain("voice-likeness") == ("voice-likeness", "train-generative", "train-ai",
                                            "ai-use")
    assert allow_chain("voice-likeness") == ("voice-likeness",)
    assert allow_chain("train-generative") == ("train-generative", "train-ai", "ai-use")
    assert allow_chain("third-party-training:acme") == ("third-party-training:acme",
                                                        "third-party-training")


def test_per_company_purposes_are_made_on_demand() -> None:
    purpose = get_purpose("third-party-training:acme-labs")
    assert purpose.parent == "third-party-training" and purpose.training


@pytest.mark.parametrize("bad", ["", "train", "Train-AI", "third-party-training:",
                                 "third-party-training:Big Co", "ai-use; DROP TABLE x"])
def test_unknown_purposes_list_the_valid_ones(bad: str) -> None:
    with pytest.raises(UnknownPurpose) as error:
        get_purpose(bad)
    assert error.value.detail == {"valid_purposes": valid_ids()}
