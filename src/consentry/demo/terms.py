"""Two terms versions for the demo: the first in force since 2024, the second adding AI
training, published now so the demo artist logs in to its notice banner."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from consentry.services.terms_notices import publish_with_notice

DEMO_TERMS_V1 = """\
# Demo Platform Terms of Use

These terms govern your use of the demo platform.

## 1. Your account

Keep your password secret. You are responsible for what happens under your account.

## 2. Your music

You keep every right in the music you upload. You grant us a licence to host and stream
your uploads so that listeners can hear them.

## 3. Recommendations

We use listening data to recommend tracks to listeners.

## 4. Changes to these terms

We tell you about any change at least 30 days before it applies to you.
"""

DEMO_TERMS_V2 = DEMO_TERMS_V1.replace(
    "your uploads so that listeners can hear them.",
    "your uploads so that listeners can hear them. With your consent, we may also use your "
    "uploads to train artificial intelligence models, including generative models.",
).replace(
    "## 4. Changes to these terms",
    "## 4. Voice and likeness\n\nWe never clone an artist's voice or likeness without "
    "their explicit opt-in.\n\n## 5. Changes to these terms",
)
DEMO_REFUSAL_NOTE = ("Your music stays out of every AI feature that the new terms bring; "
                     "nothing else changes for you.")


def seed_first_terms(conn: Connection, notice_days: int, base_url: str) -> None:
    """Version 2024-01, in force since January 2024: published before the demo's choices, so
    they carry it as their terms version, and before its accounts, who signed up under it."""
    publish_with_notice(conn, "2024-01", DEMO_TERMS_V1, "consentry demo",
                        notice_days=notice_days, base_url=base_url,
                        at=datetime(2024, 1, 1, tzinfo=UTC))


def seed_new_terms(conn: Connection, notice_days: int, base_url: str) -> None:
    """Version 2026-12, a material change published now: its notice is queued for every
    account."""
    publish_with_notice(conn, "2026-12", DEMO_TERMS_V2, "consentry demo",
                        notice_days=notice_days, base_url=base_url,
                        refusal_note=DEMO_REFUSAL_NOTE)
