"""Decisions told in plain language for the pages (the API keeps the precise reasons)."""

from __future__ import annotations

from consentry.consent import Decision, Rule
from consentry.web.rendering import gettext
from consentry.web.sessions import PageContext


def explain(context: PageContext, decision: Decision, names: dict[int, str]) -> str:
    """One sentence: allowed or not, and why, naming agreements and co-owners."""
    reason = decision.reasons[0]
    when = ""
    if reason.event_id is not None and decision.rule in (
            Rule.ARTIST_TRACK_CHOICE, Rule.ARTIST_DEFAULT):
        when = reason.summary.rsplit(" on ", 1)[-1][:10]
    verdict = gettext(context, "Allowed") if decision.allowed else gettext(context, "Denied")
    match decision.rule:
        case Rule.TERMS_PROHIBITION:
            why = gettext(context, "the platform's terms forbid this for all music")
        case Rule.REQUIRED_USE:
            return gettext(context, "Always on: the terms make this a required part of the "
                                    "service, because it protects artists")
        case Rule.RIGHTS_HOLDER_AGREEMENT:
            why = gettext(context, "the rights holder's agreement forbids it")
        case Rule.CONTENT_CLAIM:
            why = gettext(context, "a rights holder's recording was found in it (claim "
                                   "%(claim)s); their agreement decides", claim=reason.claim_id)
        case Rule.CO_OWNER_CONSENT:
            who = names.get(reason.artist_id or 0, str(reason.artist_id))
            why = gettext(context, "every co-owner must agree to training, and %(name)s has not",
                          name=who)
        case Rule.ARTIST_TRACK_CHOICE:
            why = gettext(context, "the choice for this track (%(date)s)", date=when)
        case Rule.ARTIST_DEFAULT:
            why = gettext(context, "the choice for all tracks (%(date)s)", date=when)
        case _:
            why = (gettext(context, "internal use that does not train AI is on by default")
                   if decision.allowed else gettext(context, "off until the artist opts in"))
    return f"{verdict}: {why}"
