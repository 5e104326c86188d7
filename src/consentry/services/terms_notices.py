"""Telling people about a terms change: the summary in their language, and the notice mail.

The domain summary is structured (:class:`consentry.terms.SummaryItem`); here each kind gets
a translatable sentence, so the banner, the history page and the e-mail say the same thing in
English and German. A user is told what changed since their baseline (the version they last
accepted or signed up under), so no version in between goes unshown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache

from markupsafe import escape
from sqlalchemy import Connection

from consentry.errors import N_
from consentry.i18n import TERMS_LANGUAGE, translations
from consentry.i18n.formatting import day
from consentry.purposes import get_purpose
from consentry.services.withdrawal_causes import withdraw_for_due
from consentry.store.outbox import queue_mail
from consentry.store.terms import EMPTY_TERMS, PublishedTerms, publish_text
from consentry.store.terms_acceptance import Baseline, baselines_of, notified_accounts
from consentry.terms import SummaryItem, TermsReview, TermsSummary, review_terms, summarise

Translate = Callable[[str], str]
TERM_WORDS = {
    "artificial intelligence": N_("artificial intelligence"), "AI": N_("AI"),
    "machine learning": N_("machine learning"), "ML": N_("machine learning"),
    "deep learning": N_("deep learning"), "neural network": N_("neural networks"),
    "large language model": N_("large language models"), "training": N_("AI training"),
    "fine-tuning": N_("fine-tuning"), "model": N_("AI models"), "dataset": N_("datasets"),
    "data mining": N_("data mining"), "algorithm": N_("algorithms"),
    "generative": N_("generating content"), "synthesis": N_("synthesis"),
    "voice": N_("your voice"), "likeness": N_("your likeness"), "cloning": N_("cloning"),
    "scraping": N_("scraping"), "crawling": N_("crawlers"),
    "recommendations": N_("recommendations"), "tagging": N_("tagging"),
    "fraud detection": N_("fraud detection"),
    "content identification": N_("content identification"),
}
KIND_TEXT = {
    "now-mentions": N_("%(where)s now mentions %(terms)s"),
    "no-longer-mentions": N_("%(where)s no longer mentions %(terms)s"),
    "ai-wording-changed": N_("%(where)s changes what it says about %(terms)s"),
    "new-purpose": N_("The terms now cover a new use, '%(purpose)s'; it stays off for your "
                      "music unless you allow it"),
    # A use on by default (recommendations, fraud detection) must not be said to stay off.
    "new-default-purpose": N_("The terms now cover a new use, '%(purpose)s'; it is on for your "
                              "music unless you say no"),
    "added": N_("New: %(where)s"),
    "removed": N_("%(where)s was removed"),
    "renamed": N_("%(where)s was renamed"),
    "moved": N_("%(where)s moved"),
    "modified": N_("%(where)s was reworded"),
    "renumbered": N_("%(where)s was renumbered"),
    "corrections": N_("Corrections of spelling, punctuation or numbering: %(count)s"),
}


def describe(item: SummaryItem, _: Translate, headings: bool = True) -> str:
    """One summary line in the language of ``_``; without ``headings`` (a reader of another
    language than the terms') a section is named by its number only."""
    if item.heading and (headings or not item.number):
        where = _("section %(label)s") % {
            "label": f"{item.number} {item.heading}" if item.number else item.heading}
    elif item.number:
        where = _("section %(label)s") % {"label": item.number}
    else:
        where = _("the introduction")
    terms = ", ".join(_(TERM_WORDS.get(t, t)) for t in item.terms)
    purpose = _(get_purpose(item.purposes[0]).label) if item.purposes else ""
    kind: str = item.kind
    if kind == "new-purpose" and item.purposes and get_purpose(item.purposes[0]).default_allowed:
        kind = "new-default-purpose"
    text = _(KIND_TEXT[kind]) % {"where": where, "terms": terms or _("AI"),
                                      "purpose": purpose, "count": item.count}
    if item.kind in ("added", "removed") and item.terms:
        text += " (" + _("mentions %(terms)s") % {"terms": terms} + ")"
    return text[0].upper() + text[1:]


@lru_cache(maxsize=64)
def review_since(baseline: PublishedTerms | None, terms: PublishedTerms) -> TermsReview:
    """Every clause changed from ``baseline`` (nothing: all is new) to ``terms``; cached, as
    the banner on every page asks again."""
    return review_terms(baseline.document() if baseline else EMPTY_TERMS, terms.document())


@lru_cache(maxsize=64)
def summary_since(baseline: PublishedTerms | None, terms: PublishedTerms) -> TermsSummary:
    """The summary of :func:`review_since`: what the banner, review page and notice say."""
    return summarise(review_since(baseline, terms))


def since_line(baseline: Baseline | None, _: Translate, locale: str) -> str:
    """Which version a user's changes are counted from, in the language of ``_``."""
    if baseline is None:
        return _("You have not accepted a version with a text before, so every clause is "
                 "shown as new.")
    values = {"version": baseline.terms.version, "date": day(baseline.at, locale)}
    if baseline.reason == "accepted":
        return _("Changes since version %(version)s, which you accepted on %(date)s.") % values
    return _("Changes since version %(version)s, which applied when you signed up on "
             "%(date)s.") % values


def notice_mail(terms: PublishedTerms, baseline: Baseline | None, locale: str,
                base_url: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the notice for one version, in ``locale``, with the
    changes since the recipient's baseline."""
    _ = translations(locale).gettext
    subject = _("Our terms change on %(date)s: please review them") % {
        "date": day(terms.effective_at, locale)}
    summary = summary_since(baseline.terms if baseline else None, terms)
    lines = [describe(item, _, locale == TERMS_LANGUAGE) for item in summary.items]
    intro = _("We are changing our terms. The new version %(version)s changes how AI may use "
              "your music. It applies to you only after %(date)s and only if you accept it; "
              "if you refuse, you stay on the version you have.") % {
        "version": terms.version, "date": day(terms.effective_at, locale)}
    since = since_line(baseline, _, locale)
    action = _("Read the changes and answer here:")
    url = f"{base_url.rstrip('/')}/terms/review"
    check = _("Text hash (SHA-256) of the new version:")
    text = "\n".join([intro, "", since, *(f"- {line}" for line in lines), "", action, url,
                      "", check, terms.text_hash, ""])
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = (f"<!doctype html><html lang=\"{escape(locale)}\"><body><p>{escape(intro)}</p>"
            f"<p>{escape(since)}</p><ul>{items}</ul><p>{escape(action)} "
            f"<a href=\"{escape(url)}\">{escape(url)}</a></p><p>{escape(check)} "
            f"<code>{escape(terms.text_hash)}</code></p></body></html>")
    return subject, text, html


def publish_with_notice(conn: Connection, version: str, markdown: str, published_by: str, *,
                        notice_days: int, base_url: str, refusal_note: str = "",
                        at: datetime | None = None, required: frozenset[str] | None = None,
                        prohibited: frozenset[str] | None = None) -> tuple[PublishedTerms, int]:
    """Publish a version and, if it changes AI use, queue its notice to every affected
    account in the same transaction: a version never exists without its notices. The
    required and prohibited purposes are the previous version's unless given (a change of
    them is material whatever the text says)."""
    for purpose in (required or frozenset()) | (prohibited or frozenset()):
        get_purpose(purpose)
    terms = publish_text(conn, version, markdown, published_by, notice=timedelta(
        days=notice_days), at=at, refusal_note=refusal_note, required=required,
        prohibited=prohibited)
    withdraw_for_due(conn)  # a version in force at once takes tracks out of snapshots now
    return terms, announce(conn, terms, base_url, terms.published_at)


def announce(conn: Connection, terms: PublishedTerms, base_url: str, at: datetime) -> int:
    """Queue the notice of a material version for every affected account; how many."""
    if not terms.material:
        return 0
    accounts = notified_accounts(conn, terms)
    baselines = baselines_of(conn, terms, [user_id for user_id, _, _ in accounts], at)
    for user_id, email, locale in accounts:
        subject, text, html = notice_mail(terms, baselines[user_id], locale, base_url)
        queue_mail(conn, email, subject, text, html, at)
    return len(accounts)
