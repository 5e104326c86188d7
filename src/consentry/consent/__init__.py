"""The consent ledger's domain: events, their projection, and decisions with reasons."""

from consentry.consent.catalogue_decisions import (
    CatalogueColumns,
    CatalogueDecisions,
    SettlingEvents,
    decide_catalogue,
    settling_events,
)
from consentry.consent.claims import (
    Claim,
    ClaimAction,
    ClaimChange,
    ClaimStatus,
    Identified,
    next_status,
)
from consentry.consent.decide import Decision, DecisionContext, Reason, decide
from consentry.consent.events import Choice, ConsentChoice, ConsentEvent
from consentry.consent.history import ConsentHistory
from consentry.consent.parties import (
    Agreement,
    Artist,
    Consumer,
    ConsumerKind,
    RightsHolder,
    Share,
    Track,
)
from consentry.consent.rules import Rule
from consentry.consent.terms_policy import BASELINE_TERMS, TermsPolicy, terms_in_force

__all__ = [
    "BASELINE_TERMS",
    "Agreement",
    "Artist",
    "CatalogueColumns",
    "CatalogueDecisions",
    "Choice",
    "Claim",
    "ClaimAction",
    "ClaimChange",
    "ClaimStatus",
    "ConsentChoice",
    "ConsentEvent",
    "ConsentHistory",
    "Consumer",
    "ConsumerKind",
    "Decision",
    "DecisionContext",
    "Identified",
    "Reason",
    "RightsHolder",
    "Rule",
    "SettlingEvents",
    "Share",
    "TermsPolicy",
    "Track",
    "decide",
    "decide_catalogue",
    "next_status",
    "settling_events",
    "terms_in_force",
]
