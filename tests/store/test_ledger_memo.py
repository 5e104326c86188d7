"""The memo of derived decisions holds exactly until the ledger, agreements or terms change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice, Share, TermsPolicy
from consentry.services import consent_choices
from consentry.store import catalogue, parties
from consentry.store.ledger_memo import LedgerMemo, ledger_version
from consentry.store.share_answers import answer_share
from consentry.store.terms import publish_terms
from consentry.timestamps import utcnow


def test_every_kind_of_change_moves_the_version(engine: Engine) -> None:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        holder = parties.create_rights_holder(conn, "Label")
        versions = [ledger_version(conn)]
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
        versions.append(ledger_version(conn))
        catalogue.create_agreement(conn, holder.id, "No AI", frozenset({"ai-use"}))
        versions.append(ledger_version(conn))
        publish_terms(conn, TermsPolicy("2", utcnow() + timedelta(days=30)))
        versions.append(ledger_version(conn))
        # a co-owner's answer decides whether their consent counts (issue 15)
        juno = parties.create_artist(conn, "Juno")
        track = catalogue.create_track(conn, "Duet", artist.id,
                                       [Share(artist.id, 5000), Share(juno.id, 5000)], by="Ada")
        versions.append(ledger_version(conn))
        answer_share(conn, track.id, juno.id, False, "Juno")
        versions.append(ledger_version(conn))
    assert len(set(versions)) == len(versions)


def test_the_memo_recomputes_after_a_change_or_its_ttl(engine: Engine) -> None:
    memo, calls = LedgerMemo(ttl=60), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        assert memo.get(conn, "k", compute) == memo.get(conn, "k", compute) == 1
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.DENY))
        assert memo.get(conn, "k", compute) == 2
        assert memo.get(conn, "other", compute) == 3
        expired = LedgerMemo(ttl=0)
        assert expired.get(conn, "k", compute) == 4 and expired.get(conn, "k", compute) == 5
