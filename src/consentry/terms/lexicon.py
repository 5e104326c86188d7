"""The words that make a terms change touch AI use, and the purposes they name.

Matching is by regular expression on word boundaries with the inflections spelled out, so
"trained" and "models" count while "email", "maid", "said" and "restrain" do not. Acronyms
(AI, ML, TDM, LLM) must be written in capitals: lower-case "ai" and "ml" are too often parts of
other words or units. Each term names the purposes of the vocabulary it concerns, which is how
a new version is found to introduce a purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consentry.purposes import THIRD_PARTY_TRAINING, VOCABULARY


@dataclass(frozen=True)
class Term:
    """One AI-related expression: its name (shown to people), pattern and purposes."""

    name: str
    pattern: re.Pattern[str]
    purposes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TermMatch:
    """Where a term occurs in a text, and the exact word(s) that matched."""

    term: Term
    words: str
    start: int
    end: int


def _term(name: str, regex: str, *purposes: str, case: bool = False) -> Term:
    flags = 0 if case else re.IGNORECASE
    return Term(name, re.compile(rf"(?<!\w)(?:{regex})(?!\w)", flags), purposes)


_SEP = r"[\s-]+"
AI_TERMS: tuple[Term, ...] = (
    _term("artificial intelligence", rf"artificial{_SEP}intelligence", "ai-use"),
    _term("AI", r"AI(?:s|'s)?|A\.I\.", "ai-use", case=True),
    _term("machine learning", rf"machine{_SEP}learn(?:ing|ed|t)?", "train-ai"),
    _term("ML", r"ML", "train-ai", case=True),
    _term("deep learning", rf"deep{_SEP}learning", "train-ai"),
    _term("neural network", rf"neural{_SEP}net(?:work)?s?", "train-ai"),
    _term("large language model", rf"large{_SEP}language{_SEP}models?|LLMs?", "train-ai"),
    _term("training", r"(?:re|pre)?train(?:s|ed|ing|ings|er|ers|able)?", "train-ai"),
    _term("fine-tuning", rf"fine{_SEP}tun(?:e|es|ed|ing)", "train-ai"),
    _term("model", r"models?|model(?:l)?(?:ed|ing)", "train-ai"),
    _term("dataset", rf"data(?:{_SEP})?sets?|corpus|corpora", "train-ai"),
    _term("data mining", rf"(?:text{_SEP}and{_SEP})?data{_SEP}min(?:ing|e|ed)|TDM", "train-ai"),
    _term("algorithm", r"algorithm(?:s|ic|ically)?", "ai-use"),
    _term("generative", r"generat(?:e|es|ed|ing|ive|ively)", "train-generative"),
    _term("synthesis", r"synthe(?:sis|ses|si[sz](?:e|es|ed|ing|er|ers)|tic|tically)",
          "train-generative"),
    _term("voice", r"voices?|vocal(?:s|ist|ists)?", "voice-likeness"),
    _term("likeness", r"likeness(?:es)?|personae?|deep-?fakes?", "voice-likeness"),
    _term("cloning", r"clon(?:e|es|ed|ing)", "voice-likeness"),
    _term("scraping", r"scrap(?:e|es|ed|ing|er|ers)", "train-ai"),
    _term("crawling", r"crawl(?:s|ed|ing|er|ers)?|spiders?", "train-ai"),
    _term("recommendations", r"recommendations?|recommender(?:s)?", "recommendations"),
    _term("tagging", rf"(?:auto(?:{_SEP})?)?tagg(?:ing|ed)|search{_SEP}index(?:ing|ed|es)?",
          "content-organisation"),
    _term("fraud detection", rf"fraud{_SEP}detection|detect(?:s|ing)?{_SEP}fraud"
          rf"|(?:fake|artificial){_SEP}(?:plays|streams)", "fraud-detection"),
    _term("content identification",
          rf"content{_SEP}(?:identification|ID)|fingerprint(?:s|ing|ed)?|audio{_SEP}recognition",
          "content-identification"),
)
_AI_INPUT = re.compile(r"(?<!\w)(?:input\s+to|retrieval|grounding)(?!\w)", re.IGNORECASE)
_NAMED_TERMS = {t.name: t for t in AI_TERMS}
_GENERAL_AI = frozenset({
    "artificial intelligence", "AI", "machine learning", "ML", "deep learning", "neural network",
    "large language model", "algorithm", "model", "training", "fine-tuning"})
_THIRD_PARTY = re.compile(
    r"(?<!\w)(?:third[\s-]+part(?:y|ies)|(?:other|outside|external)\s+(?:AI\s+)?compan(?:y|ies)"
    r"|partners?|licensees?|affiliates?)(?!\w)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def find_terms(text: str) -> tuple[TermMatch, ...]:
    """Every AI-related expression in ``text``, in order of position."""
    found = [TermMatch(term, m.group(0), m.start(), m.end())
             for term in AI_TERMS for m in term.pattern.finditer(text)]
    return tuple(sorted(found, key=lambda m: (m.start, -m.end)))


def term_names(matches: tuple[TermMatch, ...]) -> tuple[str, ...]:
    """The distinct term names, in order of first appearance."""
    return tuple(dict.fromkeys(m.term.name for m in matches))


def mentioned_purposes(text: str) -> tuple[str, ...]:
    """The purposes of the vocabulary a text talks about, in vocabulary order.

    A purpose counts when its id or label appears, when a term that names it appears, when a
    sentence pairs a third party with training, or when "input to" (retrieval, grounding)
    appears in a sentence about AI: alone those are everyday English.
    """
    found: set[str] = set()
    folded = text.casefold()
    for purpose in VOCABULARY:
        if purpose.id in folded or purpose.label.casefold() in folded:
            found.add(purpose.id)
    for sentence in _SENTENCE_END.split(text):
        names = {m.term.name for m in find_terms(sentence)}
        for name in names:
            found.update(_NAMED_TERMS[name].purposes)
        if names & {"training", "fine-tuning", "dataset"} and _THIRD_PARTY.search(sentence):
            found.add(THIRD_PARTY_TRAINING)
        if names & _GENERAL_AI and _AI_INPUT.search(sentence):
            found.add("ai-input")
    order = {p.id: i for i, p in enumerate(VOCABULARY)}
    return tuple(sorted(found, key=order.__getitem__))
