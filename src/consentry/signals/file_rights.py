"""A track's rights and AI-use terms as they travel inside the audio file itself.

Headers and robots.txt stay behind on the website; a downloaded file keeps only what is written
into it. So the file carries the same decisions, in the forms file readers know: plain tags
(copyright, a URL, a usage line) and the C2PA / CAWG training-and-data-mining entries (standards
digest, sections 0 and 8). Pure: callers bring the decisions and write the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from consentry.errors import InvalidInput
from consentry.purposes import THIRD_PARTY_TRAINING, covers, get_purpose
from consentry.signals.preferences import (
    ContentPreferences,
    content_usage_header,
    derive_preferences,
)

ALLOWED, NOT_ALLOWED = "allowed", "notAllowed"
CAWG_LABEL, LEGACY_LABEL = "cawg.training-mining", "c2pa.training-mining"
USAGE_SEPARATOR = "; "  # between the machine-readable string and the sentence in one tag
_USES = (  # entry suffix, how the sentence names it
    ("ai_training", "AI training"),
    ("ai_generative_training", "generative AI training"),
    ("ai_inference", "use as AI input"),
    ("data_mining", "data mining"),
)
_MIN_YEAR, _MAX_YEAR = 1000, 9999
_FORBIDDEN_CHARACTERS = "\x00\r\n"


@dataclass(frozen=True)
class TrainingMining:
    """The four CAWG uses, each ``allowed`` or ``notAllowed``; ``constrained`` is never
    written, since without a machine-readable constraint readers must take it as a no."""

    ai_training: str
    ai_generative_training: str
    ai_inference: str
    data_mining: str

    def uses(self) -> dict[str, str]:
        """Entry suffix -> use, in the order the spec lists them."""
        return {name: getattr(self, name) for name, _ in _USES}


@dataclass(frozen=True)
class FileRights:
    """Everything written into an outgoing copy of one track."""

    title: str
    artists: tuple[str, ...]
    year: int
    url: str
    preferences: ContentPreferences
    training_mining: TrainingMining
    usage: str
    usage_sentence: str

    @property
    def copyright_holder(self) -> str:
        return ", ".join(self.artists)

    @property
    def copyright(self) -> str:
        """The copyright line people read, e.g. ``© 2026 Mara Quell``."""
        return f"\u00a9 {self.year} {self.copyright_holder}"

    @property
    def ai_usage_text(self) -> str:
        """The machine-readable string then the sentence, in one tag value: a reader splits at
        the first ``"; "``, which the RFC 9651 string cannot contain."""
        return f"{self.usage}{USAGE_SEPARATOR}{self.usage_sentence}"


def file_rights(title: str, artists: Sequence[str], year: int, url: str,
                decisions: Mapping[str, bool]) -> FileRights:
    """The rights of one track from its metadata and the engine's purpose-id -> allowed answers.

    The decisions, not ``ContentPreferences``, are taken because the preferences fold every
    kind of training into ``train-ai`` and the file must tell generative training apart.
    """
    names = tuple(a.strip() for a in artists if a.strip())
    _check(title=title, url=url, names=names, year=year)
    prefs = derive_preferences(decisions)
    uses = training_mining(decisions)
    # In a file that leaves the platform, silence on training reads as no: every training
    # purpose is denied by default, and the CAWG entries below say so too.
    file_prefs = replace(prefs, train_ai=uses.ai_training == ALLOWED)
    usage = content_usage_header(file_prefs) or "train-ai=n"
    return FileRights(title.strip(), names, year, url, prefs, uses, usage,
                      usage_sentence(uses, url))


def training_mining(decisions: Mapping[str, bool]) -> TrainingMining:
    """The CAWG uses from the purposes (digest section 0); each says no as soon as a purpose
    it covers is denied, and also when no purpose it covers was decided at all.

    Whoever reads a downloaded file is someone other than the platform, so third-party training
    is covered by both training entries: a file must not grant what the artist kept back.
    """
    training = _all_allowed(decisions, lambda p: get_purpose(p).training)
    generative = _all_allowed(
        decisions, lambda p: covers("train-generative", p) or covers(THIRD_PARTY_TRAINING, p))
    opted_in = decisions.get("train-generative") is True
    inference = _all_allowed(decisions, lambda p: get_purpose(p).content_signal == "ai-input")
    return TrainingMining(
        ai_training=_use(training),
        ai_generative_training=_use(generative and opted_in),
        ai_inference=_use(inference),
        # Data mining feeds every AI use above, so a reservation on any of them reserves it,
        # as TDMRep's tdm-reservation does.
        data_mining=_use(training and inference),
    )


def cawg_entries(rights: FileRights) -> dict[str, dict[str, str]]:
    """``data.entries`` of the ``cawg.training-mining`` assertion (CAWG T&DM 1.1)."""
    return {f"cawg.{name}": {"use": use} for name, use in rights.training_mining.uses().items()}


def legacy_entries(rights: FileRights) -> dict[str, dict[str, str]]:
    """The same meaning under the C2PA 1.x ``c2pa.training-mining`` keys, for readers (such as
    datadiligence) that know only the label C2PA 2.0 removed."""
    return {f"c2pa.{name}": {"use": use} for name, use in rights.training_mining.uses().items()}


def usage_sentence(uses: TrainingMining, url: str) -> str:
    """One sentence a person reads in a tag editor or a player's info panel, in the words of
    the CAWG entries so that both say the same."""
    allowed = [label for name, label in _USES if uses.uses()[name] == ALLOWED]
    denied = [label for name, label in _USES if uses.uses()[name] != ALLOWED]
    parts = ([f"allowed: {_join(allowed, 'and')}"] if allowed else []) + (
        [f"not allowed: {_join(denied, 'or')}"] if denied else [])
    return f"AI use of this recording (set by the artist) \u2014 {'; '.join(parts)}. Terms: {url}"


def split_ai_usage(text: str) -> tuple[str, str | None]:
    """The machine-readable string and the sentence back from one tag value."""
    usage, separator, sentence = text.partition(USAGE_SEPARATOR)
    return usage.strip(), (sentence.strip() if separator else None)


def _all_allowed(decisions: Mapping[str, bool], covered: Callable[[str], bool]) -> bool:
    answers = [allowed for pid, allowed in decisions.items() if covered(pid)]
    return bool(answers) and all(answers)


def _use(allowed: bool) -> str:
    return ALLOWED if allowed else NOT_ALLOWED


def _join(labels: list[str], conjunction: str) -> str:
    if len(labels) == 1:
        return labels[0]
    return f"{', '.join(labels[:-1])} {conjunction} {labels[-1]}"


def _check(*, title: str, url: str, names: tuple[str, ...], year: int) -> None:
    if not title.strip():
        raise InvalidInput("a track needs a title to be tagged")
    if not names:
        raise InvalidInput("a track needs at least one artist name to be tagged")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidInput(f"{year} is not a four-digit year", {"year": year})
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise InvalidInput("the track URL must be an absolute http(s) URL without spaces",
                           {"url": url})
    for value in (title, url, *names):
        if any(c in value for c in _FORBIDDEN_CHARACTERS):
            raise InvalidInput("tag values cannot hold NUL characters or line breaks",
                               {"value": value})
