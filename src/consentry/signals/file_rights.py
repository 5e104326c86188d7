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

ALLOWED, NOT_ALLOWED, CONSTRAINED = "allowed", "notAllowed", "constrained"
CAWG_LABEL, LEGACY_LABEL = "cawg.training-mining", "c2pa.training-mining"
USAGE_SEPARATOR = "; "  # between the machine-readable string and the sentence in one tag
_USES = (  # entry suffix, how the sentence names it
    ("ai_training", "AI training"),
    ("ai_generative_training", "generative AI training"),
    ("ai_inference", "use as AI input"),
    ("data_mining", "data mining"),
)
# The purposes in the words a constraint and a sentence use (third person, not the artist's
# own "my music" of the permissions page)
_PHRASES = {
    "train-ai": "AI training", "train-non-generative": "training AI that analyses music",
    "train-generative": "training AI that generates music",
    "voice-likeness": "voice and likeness cloning", THIRD_PARTY_TRAINING:
    "training by other companies", "ai-input": "use as AI input",
}
# Who set a restriction, by the rule that decided it (consent/rules.py values), in the rules'
# order of precedence
_SOURCES = {
    "terms-prohibition": "the platform's terms", "required-use": "the platform's terms",
    "rights-holder-agreement": "the rights holder's agreement",
    "content-claim": "a content claim", "co-owner-consent": "a co-owner",
    "artist-track-choice": "the artist", "artist-default": "the artist",
    "platform-default": "the platform default",
}
_PRECEDENCE = {rule: i for i, rule in enumerate(_SOURCES)}
_MIN_YEAR, _MAX_YEAR = 1000, 9999
_FORBIDDEN_CHARACTERS = "\x00\r\n"


@dataclass(frozen=True)
class TrainingMining:
    """The four CAWG uses, each ``allowed``, ``notAllowed`` or ``constrained``: some of the
    purposes it covers are allowed and some are not. A constrained use says which in plain
    words (``constraint_info``); a reader without them must take it as a no (CAWG T&DM 1.1)."""

    ai_training: str
    ai_generative_training: str
    ai_inference: str
    data_mining: str
    constraints: tuple[tuple[str, str], ...] = ()  # (entry suffix, constraint_info)

    def uses(self) -> dict[str, str]:
        """Entry suffix -> use, in the order the spec lists them."""
        return {name: getattr(self, name) for name, _ in _USES}

    def constraint(self, name: str) -> str | None:
        return dict(self.constraints).get(name)


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
    set_by: tuple[str, ...] = ()  # who set the restrictions, in words

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
                decisions: Mapping[str, bool],
                rules: Mapping[str, str] | None = None) -> FileRights:
    """The rights of one track from its metadata and the engine's purpose-id -> allowed answers
    (and, to say who set them, purpose-id -> the rule that decided it).

    The decisions, not ``ContentPreferences``, are taken because the preferences fold every
    kind of training into ``train-ai`` and the file must tell generative training apart.
    """
    names = tuple(a.strip() for a in artists if a.strip())
    _check(title=title, url=url, names=names, year=year)
    prefs = derive_preferences(decisions)
    uses = training_mining(decisions)
    # In a file that leaves the platform, silence on training reads as no: every training
    # purpose is denied by default, and the CAWG entries below say so too. aipref -08's
    # train-ai is generative training, so it follows that entry; constrained reads as no.
    file_prefs = replace(prefs, train_ai=uses.ai_generative_training == ALLOWED)
    usage = content_usage_header(file_prefs) or "train-ai=n"
    set_by = _set_by(decisions, rules or {})
    return FileRights(title.strip(), names, year, url, prefs, uses, usage,
                      usage_sentence(uses, url, set_by), set_by)


def training_mining(decisions: Mapping[str, bool]) -> TrainingMining:
    """The CAWG uses from the purposes (digest section 0); each says no as soon as a purpose
    it covers is denied, and also when no purpose it covers was decided at all.

    Whoever reads a downloaded file is someone other than the platform, so third-party training
    is covered by both training entries: a file must not grant what the artist kept back.
    """
    def training(p: str) -> bool:
        return get_purpose(p).training

    def generative(p: str) -> bool:
        return covers("train-generative", p) or covers(THIRD_PARTY_TRAINING, p)

    def inference(p: str) -> bool:
        return get_purpose(p).content_signal == "ai-input"

    opted_in = decisions.get("train-generative") is True
    uses = {
        "ai_training": _state(decisions, training),
        # generative training needs the artist's own yes to it, not only to narrower uses
        "ai_generative_training": (_state(decisions, generative) if opted_in
                                   else (NOT_ALLOWED, None)),
        "ai_inference": _state(decisions, inference),
        # Data mining feeds every AI use above: allowed only where all of them are
        "data_mining": _state(decisions, lambda p: training(p) or inference(p)),
    }
    return TrainingMining(
        **{name: use for name, (use, _info) in uses.items()},
        constraints=tuple((name, info) for name, (_use, info) in uses.items() if info))


def cawg_entries(rights: FileRights) -> dict[str, dict[str, str]]:
    """``data.entries`` of the ``cawg.training-mining`` assertion (CAWG T&DM 1.1)."""
    return _entries("cawg", rights.training_mining)


def legacy_entries(rights: FileRights) -> dict[str, dict[str, str]]:
    """The same meaning under the C2PA 1.x ``c2pa.training-mining`` keys, for readers (such as
    datadiligence) that know only the label C2PA 2.0 removed."""
    return _entries("c2pa", rights.training_mining)


def _entries(prefix: str, uses: TrainingMining) -> dict[str, dict[str, str]]:
    entries = {}
    for name, use in uses.uses().items():
        entry = {"use": use}
        info = uses.constraint(name)
        if info:
            entry["constraint_info"] = info
        entries[f"{prefix}.{name}"] = entry
    return entries


def usage_sentence(uses: TrainingMining, url: str, set_by: Sequence[str] = ()) -> str:
    """One sentence a person reads in a tag editor or a player's info panel, in the words of
    the CAWG entries so that both say the same, naming who set the restrictions."""
    states = uses.uses()
    allowed = [label for name, label in _USES if states[name] == ALLOWED]
    limited = [f"{label} ({uses.constraint(name)})" for name, label in _USES
               if states[name] == CONSTRAINED]
    denied = [label for name, label in _USES if states[name] == NOT_ALLOWED]
    parts = ([f"allowed: {_join(allowed, 'and')}"] if allowed else []) + (
        [f"allowed in part: {_join(limited, 'and')}"] if limited else []) + (
        [f"not allowed: {_join(denied, 'or')}"] if denied else [])
    source = f" (set by {_join(list(set_by), 'and')})" if set_by else ""
    return f"AI use of this recording{source} \u2014 {'; '.join(parts)}. Terms: {url}"


def split_ai_usage(text: str) -> tuple[str, str | None]:
    """The machine-readable string and the sentence back from one tag value."""
    usage, separator, sentence = text.partition(USAGE_SEPARATOR)
    return usage.strip(), (sentence.strip() if separator else None)


def _state(decisions: Mapping[str, bool],
           covered: Callable[[str], bool]) -> tuple[str, str | None]:
    """Allowed when every purpose the use covers is, not allowed when none is (or none was
    decided), else constrained, saying which are and which are not."""
    answers = {pid: allowed for pid, allowed in decisions.items() if covered(pid)}
    if answers and all(answers.values()):
        return ALLOWED, None
    if not any(answers.values()):
        return NOT_ALLOWED, None
    yes = [_phrase(p) for p, allowed in answers.items() if allowed]
    no = [_phrase(p) for p, allowed in answers.items() if not allowed]
    return CONSTRAINED, f"{_join(yes, 'and')} allowed; {_join(no, 'and')} not allowed"


def _phrase(purpose: str) -> str:
    if purpose.startswith(f"{THIRD_PARTY_TRAINING}:"):
        return f"training by {purpose.partition(':')[2]}"
    return _PHRASES.get(purpose, purpose)


def _set_by(decisions: Mapping[str, bool], rules: Mapping[str, str]) -> tuple[str, ...]:
    """Who set what the file says no to: the sources of the denied AI uses, in words, each
    once; the artist alone when every restriction is theirs."""
    denied = [rules[p] for p, allowed in decisions.items()
              if not allowed and p in rules and (get_purpose(p).training
                                                 or get_purpose(p).content_signal)]
    ordered = sorted(set(denied), key=lambda rule: _PRECEDENCE.get(rule, len(_PRECEDENCE)))
    return tuple(dict.fromkeys(_SOURCES.get(rule, rule) for rule in ordered))


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
