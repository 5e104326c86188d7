"""Terms for the pages: Markdown rendered safely, and reviews as rows a template can show."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from consentry.errors import N_
from consentry.outbound.terms_notices import describe
from consentry.terms import Segment, TermsReview, TermsSummary
from consentry.web.i18n import translations

LEVELS = {"material": N_("changes AI use"), "minor": N_("changed"),
          "editorial": N_("correction")}
KINDS = {"added": N_("added"), "removed": N_("removed"), "modified": N_("modified"),
         "renamed": N_("renamed"), "moved": N_("moved"), "renumbered": N_("renumbered")}


@cache
def _markdown() -> MarkdownIt:
    # "html": False turns any HTML in the terms into visible text; links are checked by
    # markdown-it's validateLink (no javascript: or data: URLs).
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))


@dataclass(frozen=True)
class ChangeRow:
    label: str
    level: str
    kind: str
    material: bool
    segments: tuple[Segment, ...]
    reasons: tuple[str, ...]


def change_rows(review: TermsReview, locale: str) -> list[ChangeRow]:
    _ = translations(locale).gettext
    rows = []
    for c in review.changes:
        clause = c.change.new or c.change.old
        assert clause is not None
        words = [w for r in c.classification.reasons for w in (*r.terms, *r.words)]
        rows.append(ChangeRow(clause.label or _("Introduction"), _(LEVELS[c.level]),
                              _(KINDS[c.change.kind]), c.level == "material",
                              c.change.text_segments, tuple(dict.fromkeys(words))))
    return rows


def summary_lines(summary: TermsSummary, locale: str) -> list[str]:
    _ = translations(locale).gettext
    return [describe(item, _) for item in summary.items]
