"""Telling people about a terms change: the summary in their language, and the notice mail.

The domain summary is structured (:class:`consentry.terms.SummaryItem`); here each kind gets
a translatable sentence, so the banner, the history page and the e-mail say the same thing in
English and German.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from markupsafe import escape
from sqlalchemy import Connection

from consentry.errors import N_
from consentry.i18n import translations
from consentry.purposes import get_purpose
from consentry.services.withdrawal_causes import withdraw_for_due
from consentry.store.outbox import queue_mail
from consentry.store.terms import EMPTY_TERMS, PublishedTerms, list_published, publish_text
from consentry.store.terms_acceptance import notified_accounts
from consentry.terms import SummaryItem, TermsSummary, review_terms, summarise

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
    "added": N_("New: %(where)s"),
    "removed": N_("%(where)s was removed"),
    "renamed": N_("%(where)s was renamed"),
    "moved": N_("%(where)s moved"),
    "modified": N_("%(where)s was reworded"),
    "renumbered": N_("%(where)s was renumbered"),
    "corrections": N_("Corrections of spelling, punctuation or numbering: %(count)s"),
}


def describe(item: SummaryItem, _: Translate) -> str:
    """One summary line in the language of ``_``."""
    if item.heading:
        where = _("section %(label)s") % {
            "label": f"{item.number} {item.heading}" if item.number else item.heading}
    elif item.number:
        where = _("section %(label)s") % {"label": item.number}
    else:
        where = _("the introduction")
    terms = ", ".join(_(TERM_WORDS.get(t, t)) for t in item.terms)
    purpose = _(get_purpose(item.purposes[0]).label) if item.purposes else ""
    text = _(KIND_TEXT[item.kind]) % {"where": where, "terms": terms or _("AI"),
                                      "purpose": purpose, "count": item.count}
    if item.kind in ("added", "removed") and item.terms:
        text += " (" + _("mentions %(terms)s") % {"terms": terms} + ")"
    return text[0].upper() + text[1:]


def summary_of(conn: Connection, terms: PublishedTerms) -> TermsSummary:
    """What changed from the version with a text published before ``terms``."""
    published = [t for t in list_published(conn) if t.has_text]
    earlier = [t for t in published if (t.published_at, t.version) < (
        terms.published_at, terms.version)]
    previous = earlier[-1].document() if earlier else EMPTY_TERMS
    return summarise(review_terms(previous, terms.document()))


def notice_mail(terms: PublishedTerms, summary: TermsSummary, locale: str,
                base_url: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the notice for one version, in ``locale``."""
    _ = translations(locale).gettext
    subject = _("Our terms change on %(date)s: please review them") % {
        "date": terms.effective_at.date().isoformat()}
    lines = [describe(item, _) for item in summary.items]
    intro = _("We are changing our terms. The new version %(version)s changes how AI may use "
              "your music. It applies to you only after %(date)s and only if you accept it; "
              "if you refuse, you stay on the version you have.") % {
        "version": terms.version, "date": terms.effective_at.date().isoformat()}
    action = _("Read the changes and answer here:")
    url = f"{base_url.rstrip('/')}/terms/review"
    check = _("Text hash (SHA-256) of the new version:")
    text = "\n".join([intro, "", *(f"- {line}" for line in lines), "", action, url, "",
                      check, terms.text_hash, ""])
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = (f"<!doctype html><html lang=\"{escape(locale)}\"><body><p>{escape(intro)}</p>"
            f"<ul>{items}</ul><p>{escape(action)} <a href=\"{escape(url)}\">{escape(url)}</a>"
            f"</p><p>{escape(check)} <code>{escape(terms.text_hash)}</code></p></body></html>")
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
    summary = summary_of(conn, terms)
    accounts = notified_accounts(conn, terms)
    for _user_id, email, locale in accounts:
        subject, text, html = notice_mail(terms, summary, locale, base_url)
        queue_mail(conn, email, subject, text, html, at)
    return len(accounts)
