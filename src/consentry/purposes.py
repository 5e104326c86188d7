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
    public_label: str = ""  # the use in the third person, for visitors and rights holders
    umbrella: bool = False  # only a name for the uses below it: their answers decide

    @property
    def company(self) -> str | None:
        """The one company a per-company third-party purpose names."""
        prefix, _, organisation = self.id.partition(":")
        return organisation if prefix == THIRD_PARTY_TRAINING and organisation else None

    @property
    def internal(self) -> bool:
        """Internal platform uses (recommendations, fraud...) are on by default."""
        return self.default_allowed


VOCABULARY: tuple[Purpose, ...] = (
    Purpose(
        "ai-use", N_("Any use by AI"),
        N_("Everything in this list, inside the platform and outside it. A 'no' here switches "
           "off every use below, except the ones the terms require."),
        None, training=False, default_allowed=False, public_label=N_("Any use by AI"),
        umbrella=True),
    Purpose(
        "recommendations", N_("Recommend my music to listeners"),
        N_("Suggesting tracks to listeners from what they play and how the music sounds, for "
           "example 'if you like this, try that'. Nothing new is made from your music."),
        "ai-use", training=False, default_allowed=True,
        public_label=N_("Recommend this music to listeners")),
    Purpose(
        "content-organisation", N_("Tag and organise my music for search"),
        N_("Automatic tags such as genre, mood and tempo, so the platform's own search finds "
           "a track when someone looks for 'calm piano'."),
        "ai-use", training=False, default_allowed=True,
        public_label=N_("Tag and organise this music for search")),
    Purpose(
        "web-search", N_("Show my music in web search results"),
        N_("Search engines and AI search (Google, Bing, ChatGPT search) listing the track's "
           "page, so people find it there. Not the platform's own search."),
        "ai-use", training=False, default_allowed=True, aipref="search", content_signal="search",
        public_label=N_("Show this music in web search results")),
    Purpose(
        "fraud-detection", N_("Detect fraud (fake plays, stolen uploads)"),
        N_("Finding fake plays, spam and impersonation, so payouts go to the real artists."),
        "ai-use", training=False, default_allowed=True,
        public_label=N_("Detect fraud (fake plays, stolen uploads)")),
    Purpose(
        "content-identification", N_("Recognise my recordings (content ID)"),
        N_("An acoustic fingerprint recognises a recording when someone uploads it again, so "
           "a copy keeps the rights of the original."),
        "ai-use", training=False, default_allowed=True,
        public_label=N_("Recognise these recordings (content ID)")),
    Purpose(
        "ai-input", N_("Use my music as input to AI answers"),
        N_("An AI assistant plays or analyses the track while it answers a question, for "
           "example 'what is this song about?'. The AI learns nothing lasting from it."),
        "ai-use", training=False, default_allowed=False, aipref="ai-use",
        content_signal="ai-input", public_label=N_("Use this music as input to AI answers")),
    Purpose(
        "train-ai", N_("Train any AI model on my music"),
        N_("Teaching an AI model with the music, of any kind listed below. A 'no' here covers "
           "all of them; a 'yes' covers the platform's own training, but not voice cloning "
           "and not other companies."),
        "ai-use", training=True, default_allowed=False, aipref="train-ai",
        content_signal="ai-train", public_label=N_("Train any AI model on this music"),
        umbrella=True),
    Purpose(
        "train-non-generative", N_("Train AI that analyses music (not generative)"),
        N_("Teaching models that describe music but cannot make any, for example a genre "
           "detector or a recommendation model."),
        "train-ai", training=True, default_allowed=False, content_signal="ai-train",
        public_label=N_("Train AI that analyses music (not generative)")),
    Purpose(
        "train-generative", N_("Train AI that generates music"),
        N_("Teaching models that make new songs, sounds or lyrics, for example a tool that "
           "writes a track in a given style."),
        "train-ai", training=True, default_allowed=False, aipref="train-ai",
        content_signal="ai-train", public_label=N_("Train AI that generates music")),
    Purpose(
        "voice-likeness", N_("Clone my voice or likeness"),
        N_("Teaching or prompting AI to imitate your voice, style or persona, for example a "
           "'sing like this artist' feature. Needs its own 'yes': a 'yes' to generative "
           "training does not include it."),
        "train-generative", training=True, default_allowed=False, explicit_opt_in=True,
        aipref="train-ai", content_signal="ai-train",
        public_label=N_("Clone the artist's voice or likeness")),
    Purpose(
        THIRD_PARTY_TRAINING, N_("Let other AI companies train on my music"),
        N_("Training by companies outside the platform. Needs its own 'yes': a 'yes' to "
           "training in general does not include other companies. You can also answer for "
           "one named company."),
        "train-ai", training=True, default_allowed=False, explicit_opt_in=True,
        aipref="train-ai", content_signal="ai-train",
        public_label=N_("Let other AI companies train on this music")),
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
            aipref="train-ai", content_signal="ai-train",
            public_label=f"Let {organisation} train AI on this music")
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
