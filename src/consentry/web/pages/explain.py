"""Decisions told in plain language for the pages (the API keeps the precise reasons).

Each outcome names what decides it: the terms, an agreement, a claim, a co-owner, or the
choice behind it, and when a broader choice decides, which one. The artist reads it in the
second person ("you said no"), visitors and rights holders in the third ("the artist said no").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consentry.consent import ConsentEvent, Decision, Rule
from consentry.errors import N_
from consentry.i18n.formatting import day
from consentry.purposes import get_purpose
from consentry.web.rendering import gettext
from consentry.web.sessions import PageContext


@dataclass(frozen=True)
class Known:
    """What the sentences name: artists, agreements and the events behind the reasons."""

    artists: dict[int, str] = field(default_factory=dict)
    agreements: dict[int, str] = field(default_factory=dict)
    events: dict[int, ConsentEvent] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """One use of one track: 'allowed', 'denied' or 'partly' (an umbrella use whose
    narrower uses each decide for themselves), in words, with the reason that decides."""

    state: str
    verdict: str
    reason: str

    @property
    def allowed(self) -> bool:
        return self.state == "allowed"


def use_label(context: PageContext, purpose_id: str, *, public: bool = False) -> str:
    """The use as the reader sees it, per-company third-party training included."""
    purpose = get_purpose(purpose_id)
    if purpose.company:
        return (gettext(context, "Let %(company)s train AI on this music", company=purpose.company)
                if public else
                gettext(context, "Let %(company)s train AI on my music", company=purpose.company))
    return gettext(context, purpose.public_label if public else purpose.label)


def outcome(context: PageContext, decision: Decision, known: Known, *,
            public: bool = False) -> Outcome:
    """The verdict and one sentence of why; ``public`` speaks of the artist, not to them."""
    reason = decision.reasons[0]
    purpose = get_purpose(decision.purpose)
    if not decision.allowed and decision.rule is Rule.PLATFORM_DEFAULT and purpose.umbrella:
        return Outcome("partly", gettext(context, "Use by use"), gettext(
            context, "No answer for all of them at once: each use below decides for itself"))
    verdict = gettext(context, "Allowed") if decision.allowed else gettext(context, "Not allowed")
    state = "allowed" if decision.allowed else "denied"
    match decision.rule:
        case Rule.TERMS_PROHIBITION:
            why = gettext(context, "the platform's terms forbid this for all music")
        case Rule.REQUIRED_USE:
            why = gettext(context, "the terms make this a required part of the service, "
                                   "because it protects artists")
        case Rule.RIGHTS_HOLDER_AGREEMENT:
            title = known.agreements.get(reason.agreement_id or 0, "?")
            why = gettext(context, "the agreement “%(agreement)s” with the rights holder "
                                   "forbids it", agreement=title)
        case Rule.CONTENT_CLAIM:
            why = gettext(context, "a rights holder's recording was found in this upload "
                                   "(claim %(claim)s); until the claim is settled, their "
                                   "agreement decides", claim=reason.claim_id)
        case Rule.CO_OWNER_CONSENT:
            who = known.artists.get(reason.artist_id or 0, str(reason.artist_id))
            why = gettext(context, "every co-owner must agree to training, and %(name)s has not",
                          name=who)
        case Rule.ARTIST_TRACK_CHOICE | Rule.ARTIST_DEFAULT:
            why = _choice_reason(context, decision, known, public)
        case _:
            why = _default_reason(context, decision, public)
    return Outcome(state, verdict, why[0].upper() + why[1:])


def _choice_reason(context: PageContext, decision: Decision, known: Known,
                   public: bool) -> str:
    """Which choice decides: this one, or the broader one that covers it."""
    reason = decision.reasons[0]
    event = known.events.get(reason.event_id or 0)
    if event is None:
        return gettext(context, "a recorded choice")
    values = {"use": use_label(context, event.purpose, public=public),
              "date": day(event.recorded_at, context.locale)}
    track = event.track_id is not None
    said = {
        (False, True, False): N_("you said yes for this track on %(date)s"),
        (False, False, False): N_("you said no for this track on %(date)s"),
        (False, True, True): N_("you said yes for all your tracks on %(date)s"),
        (False, False, True): N_("you said no for all your tracks on %(date)s"),
        (True, True, False): N_("the artist said yes for this track on %(date)s"),
        (True, False, False): N_("the artist said no for this track on %(date)s"),
        (True, True, True): N_("the artist said yes for all their tracks on %(date)s"),
        (True, False, True): N_("the artist said no for all their tracks on %(date)s"),
    }
    covering = {
        (False, True, False): N_("you said yes to “%(use)s” for this track on %(date)s, which "
                              "includes this"),
        (False, False, False): N_("you said no to “%(use)s” for this track on %(date)s, which "
                               "covers this"),
        (False, True, True): N_("you said yes to “%(use)s” for all your tracks on %(date)s, "
                             "which includes this"),
        (False, False, True): N_("you said no to “%(use)s” for all your tracks on %(date)s, "
                              "which covers this"),
        (True, True, False): N_("the artist said yes to “%(use)s” for this track on %(date)s, "
                             "which includes this"),
        (True, False, False): N_("the artist said no to “%(use)s” for this track on %(date)s, "
                              "which covers this"),
        (True, True, True): N_("the artist said yes to “%(use)s” for all their tracks on "
                            "%(date)s, which includes this"),
        (True, False, True): N_("the artist said no to “%(use)s” for all their tracks on "
                             "%(date)s, which covers this"),
    }
    key = (public, event.allowed, not track)
    text = said[key] if event.purpose == decision.purpose else covering[key]
    return gettext(context, text, **values)


def _default_reason(context: PageContext, decision: Decision, public: bool) -> str:
    purpose = get_purpose(decision.purpose)
    if decision.allowed:
        return gettext(context, "nobody said no, and the platform allows this use by default: "
                                "it trains no AI")
    if purpose.explicit_opt_in or purpose.company:
        return (gettext(context, "this needs the artist's own yes, and there is none")
                if public else
                gettext(context, "this needs its own yes, and you have not given it; a yes to "
                                 "a broader use does not include it"))
    return (gettext(context, "off until the artist says yes") if public else
            gettext(context, "off until you say yes"))
