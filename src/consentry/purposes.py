"""The AI-use vocabulary and its hierarchy.

Pure data and lookups. The purposes follow the IETF AI-preferences vocabulary
(draft-ietf-aipref-vocab-08) where it has a category (``train-ai``: training generative models;
``ai-use``: input to a generative model; ``search``) and add the platform uses named in the
seeds; training models that cannot generate is in no -08 category. A purpose's *deny chain*
(itself and every broader purpose) and *allow chain* (itself and the broader purposes whose
"allow" reaches it) are the two facts the decision rules need; both paths of the engine read
them from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from consentry.errors import N_, UnknownPurpose

THIRD_PARTY_TRAINING = "third-party-training"
_ORGANISATION = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Purpose:
    """One AI use an artist can allow or deny."""

    id: str
    label: str
    description: str
    parent: str | None
    training: bool
    default_allowed: bool
    explicit_opt_in: bool = False
    aipref: str | None = None
    content_signal: str | None = None

    @property
    def internal(self) -> bool:
        """Internal platform uses (recommendations, fraud...) are on by default."""
        return self.default_allowed


VOCABULARY: tuple[Purpose, ...] = (
    Purpose(
        "ai-use", N_("Any use by AI"),
        N_("Every use of the music by AI systems, internal or external. A 'no' here covers "
           "every other purpose in this list, except the uses the terms mark as required."),
        None, training=False, default_allowed=False),
    Purpose(
        "recommendations", N_("Recommend my music to listeners"),
        N_("Models that suggest tracks to listeners, trained on listening behaviour and audio "
           "features. Does not generate music."),
        "ai-use", training=False, default_allowed=True),
    Purpose(
        "content-organisation", N_("Tag and organise my music for search"),
        N_("Automatic tagging (genre, mood, tempo) and search indexing inside the platform."),
        "ai-use", training=False, default_allowed=True),
    Purpose(
        "web-search", N_("Show my music in web search results"),
        N_("Public search engines and AI search (Google, Bing, ChatGPT search, ...) indexing "
           "the track's page so people can find it there. Not the platform's own search."),
        "ai-use", training=False, default_allowed=True, aipref="search", content_signal="search"),
    Purpose(
        "fraud-detection", N_("Detect fraud (fake plays, stolen uploads)"),
        N_("Finding artificial streams, spam and impersonation. Protects artists' payouts."),
        "ai-use", training=False, default_allowed=True),
    Purpose(
        "content-identification", N_("Recognise my recordings (content ID)"),
        N_("Acoustic fingerprints that recognise a recording when it is re-uploaded, so "
           "licensed and stolen copies keep the rights of the original."),
        "ai-use", training=False, default_allowed=True),
    Purpose(
        "ai-input", N_("Use my music as input to AI answers"),
        N_("Feeding the music to an AI system at answer time (retrieval, grounding, real-time "
           "generation) without changing the model itself."),
        "ai-use", training=False, default_allowed=False, aipref="ai-use",
        content_signal="ai-input"),
    Purpose(
        "train-ai", N_("Train any AI model on my music"),
        N_("Changing any model's learned parameters with the music: the IETF 'train-ai' "
           "category. A 'no' here covers every kind of training below."),
        "ai-use", training=True, default_allowed=False, aipref="train-ai",
        content_signal="ai-train"),
    Purpose(
        "train-non-generative", N_("Train AI that analyses music (not generative)"),
        N_("Training classifiers, taggers and recommendation models that describe music but "
           "cannot produce it."),
        "train-ai", training=True, default_allowed=False, content_signal="ai-train"),
    Purpose(
        "train-generative", N_("Train AI that generates music"),
        N_("Training models that create new audio, lyrics or compositions."),
        "train-ai", training=True, default_allowed=False, aipref="train-ai",
        content_signal="ai-train"),
    Purpose(
        "voice-likeness", N_("Clone my voice or likeness"),
        N_("Training or conditioning models that imitate the artist's voice, style or persona. "
           "Needs its own 'yes': allowing generative training does not reach it."),
        "train-generative", training=True, default_allowed=False, explicit_opt_in=True,
        aipref="train-ai",
        content_signal="ai-train"),
    Purpose(
        THIRD_PARTY_TRAINING, N_("Let other AI companies train on my music"),
        N_("Training by companies outside the platform. Needs its own 'yes': allowing training "
           "in general does not reach other companies. Narrow it to one company with "
           "'third-party-training:<company>'."),
        "train-ai", training=True, default_allowed=False, explicit_opt_in=True,
        aipref="train-ai", content_signal="ai-train"),
)

_BY_ID = {p.id: p for p in VOCABULARY}
DEFAULT_REQUIRED = frozenset({"fraud-detection", "content-identification"})


def valid_ids() -> list[str]:
    """The fixed ids, plus the pattern for per-company third-party training."""
    return [p.id for p in VOCABULARY] + [f"{THIRD_PARTY_TRAINING}:<company>"]


@lru_cache(maxsize=4096)
def get_purpose(purpose_id: str) -> Purpose:
    """Look up a purpose; per-company third-party training is made on demand."""
    if purpose_id in _BY_ID:
        return _BY_ID[purpose_id]
    prefix, _, organisation = purpose_id.partition(":")
    if prefix == THIRD_PARTY_TRAINING and _ORGANISATION.match(organisation):
        return Purpose(
            purpose_id, f"Let {organisation} train AI on my music",
            f"Training by the company '{organisation}' only.",
            THIRD_PARTY_TRAINING, training=True, default_allowed=False,
            aipref="train-ai", content_signal="ai-train")
    raise UnknownPurpose(
        f"unknown purpose {purpose_id!r}", {"valid_purposes": valid_ids()})


def third_party_purpose(organisation: str) -> str:
    """The purpose id for training by one named company."""
    return get_purpose(f"{THIRD_PARTY_TRAINING}:{organisation}").id


@lru_cache(maxsize=4096)
def deny_chain(purpose_id: str) -> tuple[str, ...]:
    """The purpose and every broader one, narrowest first: a 'deny' on any of them applies."""
    chain: list[str] = []
    current: str | None = purpose_id
    while current is not None:
        chain.append(current)
        current = get_purpose(current).parent
    return tuple(chain)


@lru_cache(maxsize=4096)
def allow_chain(purpose_id: str) -> tuple[str, ...]:
    """The purposes whose 'allow' reaches this one: upwards until an explicit opt-in boundary."""
    chain: list[str] = []
    for pid in deny_chain(purpose_id):
        chain.append(pid)
        if get_purpose(pid).explicit_opt_in:
            break
    return tuple(chain)


def covers(broad: str, narrow: str) -> bool:
    """True when a choice on ``broad`` applies to ``narrow`` (same purpose or an ancestor)."""
    return broad in deny_chain(narrow)


def children(purpose_id: str) -> list[Purpose]:
    """Direct narrower purposes of the fixed vocabulary."""
    return [p for p in VOCABULARY if p.parent == purpose_id]
