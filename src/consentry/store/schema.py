"""The tables. Instants are integer microseconds (see consentry.timestamps).

``consent_events`` is append-only: the migration adds triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

metadata = MetaData()

artists = Table(
    "artists", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

rights_holders = Table(
    "rights_holders", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

agreements = Table(
    "agreements", metadata,
    Column("id", Integer, primary_key=True),
    Column("rights_holder_id", Integer, ForeignKey("rights_holders.id"), nullable=False,
           index=True),
    Column("title", String(200), nullable=False),
    Column("restricted_purposes", Text, nullable=False),  # JSON list of purpose ids
    Column("starts_at", BigInteger, nullable=False),
    Column("ends_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
)

tracks = Table(
    "tracks", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("artist_id", Integer, ForeignKey("artists.id"), nullable=False, index=True),
    Column("rights_holder_id", Integer, ForeignKey("rights_holders.id"), index=True),
    Column("isrc", String(12)),
    Column("created_at", BigInteger, nullable=False),
    # The recording, if uploaded: a content-addressed file (consentry.store.media) and its facts
    Column("audio_sha256", String(64)),
    Column("audio_format", String(8)),
    Column("audio_mime", String(40)),
    Column("audio_bytes", BigInteger),
    Column("duration_ms", BigInteger),
    Column("audio_uploaded_at", BigInteger),
)

# Append-only: a track taken out of the catalogue by its artist or an admin. The track's row,
# its consent events and its log entries stay; from then on it is gone from pages, lists,
# decisions and new datasets, and withdrawn from every snapshot (services/track_removals.py).
track_removals = Table(
    "track_removals", metadata,
    Column("id", Integer, primary_key=True),
    Column("track_id", Integer, ForeignKey("tracks.id"), nullable=False),
    Column("removed_at", BigInteger, nullable=False),
    Column("removed_by", String(200), nullable=False),
    UniqueConstraint("track_id", name="uq_track_removals_track"),
)

track_shares = Table(
    "track_shares", metadata,
    Column("track_id", Integer, ForeignKey("tracks.id"), primary_key=True),
    Column("artist_id", Integer, ForeignKey("artists.id"), primary_key=True, index=True),
    Column("basis_points", Integer, nullable=False),
    Index("ix_track_shares_partial", "track_id", "artist_id",
          sqlite_where=text("basis_points < 10000"),
          postgresql_where=text("basis_points < 10000")),
)

# Append-only: the invitation of an owner named by someone else, and each answer to it
# (consent/ownership.py). A share without rows counts; otherwise the latest row decides.
share_answers = Table(
    "share_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("track_id", Integer, ForeignKey("tracks.id"), nullable=False),
    Column("artist_id", Integer, ForeignKey("artists.id"), nullable=False, index=True),
    Column("accepted", Boolean, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("by", String(200), nullable=False),
    Index("ix_share_answers_share", "track_id", "artist_id"),
)

consumers = Table(
    "consumers", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("organisation", String(63)),
    Column("purposes", Text, nullable=False),  # JSON list of purpose ids
    Column("created_at", BigInteger, nullable=False),
    Column("datasets_only", Boolean, nullable=False, server_default=false()),
)

terms_versions = Table(
    "terms_versions", metadata,
    Column("version", String(50), primary_key=True),
    Column("effective_at", BigInteger, nullable=False),
    Column("required_purposes", Text, nullable=False),
    Column("prohibited_purposes", Text, nullable=False),
    Column("published_at", BigInteger, nullable=False),
    # From revision 0007 on (null for versions published before it): the text and its hash.
    Column("title", String(200)),
    Column("markdown", Text),
    Column("text_hash", String(64)),
    Column("material", Boolean),
    Column("notice_ends_at", BigInteger),
    Column("introduced_purposes", Text),  # JSON list of purpose ids
    Column("published_by", String(200)),
    Column("refusal_note", Text),
)

# Append-only like consent_events: each user's acceptance or refusal of one version.
terms_responses = Table(
    "terms_responses", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("version", String(50), ForeignKey("terms_versions.version"), nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("at", BigInteger, nullable=False),
)

# Mail waits here until the server took it, so nothing is lost while it is down.
outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger),
    Column("last_error", Text),
    Index("ix_outbox_due", "sent_at", "next_attempt_at"),
)

watched_pages = Table(
    "watched_pages", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_checked_at", BigInteger),
    Column("last_status", String(20)),
    Column("last_error", Text),
    UniqueConstraint("url", name="uq_watched_pages_url"),
)

# Append-only: every text a watched page ever showed, and what changed from the one before.
watch_snapshots = Table(
    "watch_snapshots", metadata,
    Column("id", Integer, primary_key=True),
    Column("page_id", Integer, ForeignKey("watched_pages.id"), nullable=False, index=True),
    Column("fetched_at", BigInteger, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("changed", Boolean, nullable=False),
    Column("ai_related", Boolean, nullable=False),
    Column("changes", Text, nullable=False),  # JSON list of changed paragraphs
)

watch_subscribers = Table(
    "watch_subscribers", metadata,
    Column("id", Integer, primary_key=True),
    Column("page_id", Integer, ForeignKey("watched_pages.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # "email" or "webhook"
    Column("target", String(2000), nullable=False),
    Column("secret", String(100)),  # the webhook's HMAC key
    Column("created_at", BigInteger, nullable=False),
)

consent_events = Table(
    "consent_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("artist_id", Integer, ForeignKey("artists.id"), nullable=False),
    Column("track_id", Integer, ForeignKey("tracks.id")),
    Column("purpose", String(100), nullable=False),
    Column("choice", String(5), nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("source", String(200), nullable=False),
    Column("terms_version", String(50), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Index("ix_consent_events_artist_time", "artist_id", "recorded_at"),
    Index("ix_consent_events_track", "track_id"),
    Index("ix_consent_events_purpose_covering", "purpose", "recorded_at", "artist_id",
          "track_id", "choice", "id"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("subject_id", Integer),
    Column("purposes", Text),  # JSON list narrowing a consumer's scope, or null
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("artist_id", Integer, ForeignKey("artists.id")),
    Column("rights_holder_id", Integer, ForeignKey("rights_holders.id")),
    Column("locale", String(8), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("disabled_at", BigInteger),
    # From 0021: when the owner opened the link mailed at sign-up; null until then
    Column("email_verified_at", BigInteger),
    UniqueConstraint("email", name="uq_users_email"),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),  # the cookie holds the id, never stored
    Column("user_id", Integer, ForeignKey("users.id"), index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

# Single-use links sent by mail (password reset, e-mail verification): only the secret's
# SHA-256 is kept, with when it expires and when it was used.
account_tokens = Table(
    "account_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("purpose", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
    UniqueConstraint("token_hash", name="uq_account_tokens_hash"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_login_failures_email_at", "email", "at"),
    Index("ix_login_failures_client_at", "client", "at"),
)

# Counters, not a log: one row per day, agent and refusal kind, so a scraper cannot grow it.
refusal_counts = Table(
    "refusal_counts", metadata,
    Column("day", String(10), primary_key=True),
    Column("agent", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("purpose", String(80), primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("last_at", BigInteger, nullable=False),
)

# The transparency log (see consentry.ledger): append-only, the head row is its only counter.
_LOG_INDEX = BigInteger().with_variant(Integer(), "sqlite")
log_head = Table(
    "log_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("size", BigInteger, nullable=False),
)

log_entries = Table(
    "log_entries", metadata,
    Column("idx", _LOG_INDEX, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("source_id", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("appended_at", BigInteger, nullable=False),
    UniqueConstraint("kind", "source_id", name="uq_log_entries_source"),
)

log_subtrees = Table(
    "log_subtrees", metadata,
    Column("height", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

log_checkpoints = Table(
    "log_checkpoints", metadata,
    Column("size", _LOG_INDEX, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", BigInteger, nullable=False),
)

# Witnesses' cosignatures of checkpoints (``witness`` is the witness's verifier key string).
log_cosignatures = Table(
    "log_cosignatures", metadata,
    Column("id", Integer, primary_key=True),
    Column("witness", String(300), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("line", Text, nullable=False),
    Column("cosigned_at", BigInteger, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    UniqueConstraint("witness", "size", name="uq_log_cosignatures_witness_size"),
)

decision_batches = Table(
    "decision_batches", metadata,
    Column("id", Integer, primary_key=True),
    Column("consumer_id", Integer, ForeignKey("consumers.id")),
    Column("purpose", String(100), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("requested_at", BigInteger, nullable=False),
    Column("tracks", Integer, nullable=False),
    Column("allowed", Integer, nullable=False),
    Column("result_sha256", String(64), nullable=False),
    Column("requested_by", String(200), nullable=False),
)

# Dataset snapshots (see consentry.datasets): append-only; a withdrawal makes a new revision.
dataset_snapshots = Table(
    "dataset_snapshots", metadata,
    Column("id", Integer, primary_key=True),
    Column("consumer_id", Integer, ForeignKey("consumers.id")),
    Column("purpose", String(100), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("tracks", Integer, nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
    Column("statement", Text, nullable=False),
    Column("requested_by", String(200), nullable=False),
    # From revision 0010 on: the snapshot this one revises (its tracks minus the withdrawn).
    Column("revision_of", Integer),  # no foreign key: SQLite could not drop it on downgrade
)

dataset_tracks = Table(
    "dataset_tracks", metadata,
    Column("snapshot_id", Integer, ForeignKey("dataset_snapshots.id"), primary_key=True),
    Column("track_id", Integer, primary_key=True),
    Index("ix_dataset_tracks_track", "track_id"),
)

# Withdrawals (see consentry.store.withdrawals): append-only. One per cause and snapshot,
# naming the tracks that cause took out of that snapshot's purpose. The cause is a consent
# event (consent_event_id) or, from revision 0017 on, another record of the log: its kind and
# id in cause_kind and cause_ref (an agreement, a content claim, a share answer, a terms
# version).
withdrawals = Table(
    "withdrawals", metadata,
    Column("id", Integer, primary_key=True),
    Column("snapshot_id", Integer, ForeignKey("dataset_snapshots.id"), nullable=False,
           index=True),
    Column("consent_event_id", Integer, ForeignKey("consent_events.id"), index=True),
    Column("recorded_at", BigInteger, nullable=False),
    Column("cause_kind", String(30)),
    Column("cause_ref", String(50)),
)

# Causes that take effect at an instant of their own (an agreement's start, a terms version's
# effective date), once checked for withdrawals: append-only, a row per cause.
withdrawal_checks = Table(
    "withdrawal_checks", metadata,
    Column("cause_kind", String(30), primary_key=True),
    Column("cause_ref", String(50), primary_key=True),
    Column("checked_at", BigInteger, nullable=False),
)

# A track is withdrawn from a snapshot once: the primary key says so.
withdrawn_tracks = Table(
    "withdrawn_tracks", metadata,
    Column("snapshot_id", Integer, ForeignKey("dataset_snapshots.id"), primary_key=True),
    Column("track_id", Integer, primary_key=True),
    Column("withdrawal_id", Integer, ForeignKey("withdrawals.id"), nullable=False, index=True),
)

withdrawal_acknowledgements = Table(
    "withdrawal_acknowledgements", metadata,
    Column("id", Integer, primary_key=True),
    Column("withdrawal_id", Integer, ForeignKey("withdrawals.id"), nullable=False),
    Column("consumer_id", Integer, ForeignKey("consumers.id"), nullable=False),
    Column("acknowledged_at", BigInteger, nullable=False),
    Column("acknowledged_by", String(200), nullable=False),
    UniqueConstraint("withdrawal_id", name="uq_withdrawal_acknowledgements_withdrawal"),
)

# Webhooks: where a consumer is told of withdrawals (the secret keys the HMAC signature).
webhook_endpoints = Table(
    "webhook_endpoints", metadata,
    Column("id", Integer, primary_key=True),
    Column("consumer_id", Integer, ForeignKey("consumers.id"), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("disabled_at", BigInteger),
)

# A queue like the mail outbox: one row per endpoint and withdrawal until it is delivered.
webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("endpoint_id", Integer, ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("withdrawal_id", Integer, ForeignKey("withdrawals.id"), nullable=False, index=True),
    Column("created_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger),
    Column("gave_up_at", BigInteger),
    Column("last_error", Text),
    UniqueConstraint("endpoint_id", "withdrawal_id", name="uq_webhook_deliveries_pair"),
    Index("ix_webhook_deliveries_due", "delivered_at", "next_attempt_at"),
)

# Append-only: every attempt, its answer and how long it took.
webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", Integer, ForeignKey("webhook_deliveries.id"), nullable=False,
           index=True),
    Column("attempted_at", BigInteger, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
)

# Content identification (see docs/content-id.md). A rights holder's recordings that are not
# platform tracks: known by their content, so an ingest that is run again adds nothing twice.
reference_recordings = Table(
    "reference_recordings", metadata,
    Column("id", Integer, primary_key=True),
    Column("rights_holder_id", Integer, ForeignKey("rights_holders.id"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("isrc", String(12)),
    Column("audio_sha256", String(64), nullable=False),
    Column("duration_ms", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("rights_holder_id", "audio_sha256", name="uq_reference_recordings_content"),
)

# Derived data, not a record: one row per recording in the index (a track's current audio or a
# reference recording), replaced when the audio is; ``data`` is the fingerprint's arrays.
fingerprints = Table(
    "fingerprints", metadata,
    Column("id", Integer, primary_key=True),
    Column("recording_key", String(40), nullable=False),  # "track:12" or "reference:5"
    Column("track_id", Integer, ForeignKey("tracks.id")),
    Column("reference_id", Integer, ForeignKey("reference_recordings.id")),
    Column("audio_sha256", String(64), nullable=False),
    Column("frame_count", Integer, nullable=False),
    Column("landmarks", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("recording_key", name="uq_fingerprints_recording"),
    sqlite_autoincrement=True,  # ids never come back, so (newest id, count) tells any change
)

# Append-only: a claim is what identification found; its status lives in claim_changes.
content_claims = Table(
    "content_claims", metadata,
    Column("id", Integer, primary_key=True),
    Column("track_id", Integer, ForeignKey("tracks.id"), nullable=False, index=True),
    # the claimant: a rights holder, or (from 0018) an artist whose own track was found
    Column("rights_holder_id", Integer, ForeignKey("rights_holders.id"), index=True),
    Column("recording_key", String(40), nullable=False),
    Column("audio_sha256", String(64), nullable=False),  # the upload in which it was found
    Column("query_start_ms", BigInteger, nullable=False),
    Column("recording_start_ms", BigInteger, nullable=False),
    Column("matched_ms", BigInteger, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("speed", Float, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("significance", Float),  # NULL for claims opened before it was kept (0013)
    Column("claimant_artist_id", Integer, ForeignKey("artists.id"), index=True),
)

claim_changes = Table(
    "claim_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("claim_id", Integer, ForeignKey("content_claims.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("respond_by", BigInteger),  # a dispute's deadline (0016); NULL for other changes
)
