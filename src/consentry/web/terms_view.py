"""Terms for the pages: Markdown rendered safely, reviews as rows a template can show, and the
banner every page shows to a user with a version to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import Connection

from consentry.errors import N_
from consentry.i18n import TERMS_LANGUAGE, translations
from consentry.services.terms_notices import describe, since_line, summary_since
from consentry.store.terms import PublishedTerms
from consentry.store.terms_acceptance import standing_of
from consentry.terms import Segment, TermsReview, TermsSummary
from consentry.timestamps import utcnow

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


def change_rows(review: TermsReview, locale: str) -> list[ChangeRow]:
    _ = translations(locale).gettext
    rows = []
    for c in review.changes:
        clause = c.change.new or c.change.old
        assert clause is not None
        rows.append(ChangeRow(clause.label or _("Introduction"), _(LEVELS[c.level]),
                              _(KINDS[c.change.kind]), c.level == "material",
                              c.change.text_segments))
    return rows


def summary_lines(summary: TermsSummary, locale: str) -> list[str]:
    _ = translations(locale).gettext
    return [describe(item, _, locale == TERMS_LANGUAGE) for item in summary.items]


# The version whose banner the user hid; a newer version shows its banner again.
BANNER_HIDDEN_COOKIE = "consentry_terms_banner_hidden"


@dataclass(frozen=True)
class TermsBanner:
    version: str
    status: str
    effective_at: datetime
    since: str
    lines: tuple[str, ...]


def previous_version(versions: list[PublishedTerms],
                     terms: PublishedTerms) -> PublishedTerms | None:
    """The version with a text published just before ``terms``: what the public history
    compares it with (a user's review starts from their own baseline instead)."""
    earlier = [t for t in versions if t.has_text and t.published_at < terms.published_at]
    return earlier[-1] if earlier else None


def terms_banner(conn: Connection, user_id: int, locale: str) -> TermsBanner | None:
    """The banner for a user who has a new version to answer, else nothing; it counts the
    changes from the version they last accepted or signed up under."""
    standing = standing_of(conn, user_id, utcnow())
    pending, baseline = standing.pending, standing.baseline
    if pending is None or not standing.needs_answer or not pending.has_text:
        return None
    summary = summary_since(baseline.terms if baseline else None, pending)
    return TermsBanner(pending.version, standing.state.status, pending.effective_at,
                       since_line(baseline, translations(locale).gettext, locale),
                       tuple(summary_lines(summary, locale)))
