"""The decision rules applied to a whole catalogue at once, with numpy.

Same rules, same order as consent/decide.py, expressed over columns: one array per track
attribute, one per event attribute. A property test checks both paths agree on random
catalogues. Costs are a few sorts and searches, so a million tracks take milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from consentry.consent.claims import Claim
from consentry.consent.events import ConsentEvent
from consentry.consent.ownership import ShareAnswer
from consentry.consent.parties import Agreement, Consumer, Track
from consentry.consent.rules import Rule
from consentry.consent.terms_policy import TermsPolicy
from consentry.purposes import allow_chain, deny_chain, get_purpose
from consentry.timestamps import to_micros

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
NO_TRACK = -1  # event_track_id of an artist-wide choice; rights_holder_id of an unlicensed track


def _no_ints() -> Ints:
    return np.zeros(0, np.int64)


def _no_bools() -> Bools:
    return np.zeros(0, bool)


@dataclass(frozen=True)
class CatalogueColumns:
    """A catalogue as columns. Co-owner rows list owners other than the managing artist."""

    track_id: Ints
    artist_id: Ints
    rights_holder_id: Ints
    co_owner_track_id: Ints
    co_owner_artist_id: Ints
    event_id: Ints
    event_artist_id: Ints
    event_track_id: Ints
    event_purpose: Ints  # index into purpose_names
    event_allow: Bools
    event_deny: Bools  # neither allow nor deny: a 'clear' event
    event_recorded_at: Ints  # microseconds since the epoch
    purpose_names: tuple[str, ...]  # the dictionary of event_purpose codes
    # Content claims, one row per status change (consent/claims.py)
    claim_id: Ints = field(default_factory=_no_ints)
    claim_track_id: Ints = field(default_factory=_no_ints)
    claim_change_id: Ints = field(default_factory=_no_ints)  # orders changes at one instant
    claim_active: Bools = field(default_factory=_no_bools)
    claim_at: Ints = field(default_factory=_no_ints)  # microseconds since the epoch
    claim_respond_by: Ints = field(default_factory=_no_ints)  # a dispute's deadline; 0: none
    # Share invitations and answers, one row each (consent/ownership.py)
    answer_id: Ints = field(default_factory=_no_ints)
    answer_track_id: Ints = field(default_factory=_no_ints)
    answer_artist_id: Ints = field(default_factory=_no_ints)
    answer_accepted: Bools = field(default_factory=_no_bools)
    answer_at: Ints = field(default_factory=_no_ints)

    @classmethod
    def from_records(cls, tracks: list[Track], events: list[ConsentEvent],
                     claims: Sequence[Claim] = (),
                     answers: Sequence[ShareAnswer] = ()) -> CatalogueColumns:
        """Columns from domain objects: for small catalogues and tests."""
        names = tuple(sorted({e.purpose for e in events}))
        co_owners = [(t.id, a) for t in tracks for a in t.co_owner_ids]
        changes = [(c, change) for c in claims for change in c.changes]

        def ints(values: list[int]) -> Ints:
            return np.array(values, np.int64)

        return cls(
            track_id=ints([t.id for t in tracks]),
            artist_id=ints([t.artist_id for t in tracks]),
            rights_holder_id=ints([
                NO_TRACK if t.rights_holder_id is None else t.rights_holder_id
                for t in tracks]),
            co_owner_track_id=ints([t for t, _ in co_owners]),
            co_owner_artist_id=ints([a for _, a in co_owners]),
            event_id=ints([e.id for e in events]),
            event_artist_id=ints([e.artist_id for e in events]),
            event_track_id=ints([NO_TRACK if e.track_id is None else e.track_id
                                 for e in events]),
            event_purpose=ints([names.index(e.purpose) for e in events]),
            event_allow=np.array([e.allowed for e in events], bool),
            event_deny=np.array([e.denied for e in events], bool),
            event_recorded_at=ints([to_micros(e.recorded_at) for e in events]),
            purpose_names=names,
            claim_id=ints([c.id for c, _ in changes]),
            claim_track_id=ints([c.track_id for c, _ in changes]),
            claim_change_id=ints(list(range(1, len(changes) + 1))),
            claim_active=np.array([ch.status.active for _, ch in changes], bool),
            claim_at=ints([to_micros(ch.at) for _, ch in changes]),
            claim_respond_by=ints([to_micros(ch.respond_by) if ch.respond_by else 0
                                   for _, ch in changes]),
            answer_id=ints([a.id for a in answers]),
            answer_track_id=ints([a.track_id for a in answers]),
            answer_artist_id=ints([a.artist_id for a in answers]),
            answer_accepted=np.array([a.accepted for a in answers], bool),
            answer_at=ints([to_micros(a.at) for a in answers]),
        )

    def pending_shares(self, at_micros: int) -> Ints:
        """(track, artist) keys of the shares that do not count at the instant: those whose
        latest invitation or answer by then is not an acceptance."""
        known = self.answer_at <= at_micros
        keys = _scope_key(self.answer_artist_id[known], self.answer_track_id[known])
        order = np.lexsort((self.answer_id[known], self.answer_at[known], keys))
        keys, accepted = keys[order], self.answer_accepted[known][order]
        last = np.ones(len(keys), bool)
        last[:-1] = keys[1:] != keys[:-1]
        return np.sort(keys[last & ~accepted])

    def counting(self, artist: Ints, track: Ints, pending: Ints) -> Bools:
        """Whether each (artist, track) share counts, given ``pending_shares`` at the instant."""
        if not len(pending):
            return np.ones(len(artist), bool)
        return ~np.isin(_scope_key(artist, track), pending)

    def claimed_track_ids(self, at_micros: int) -> Ints:
        """Tracks with a claim standing at the instant: each claim's latest change, unless it
        is a dispute whose deadline has passed."""
        known = self.claim_at <= at_micros
        claim, change = self.claim_id[known], self.claim_change_id[known]
        order = np.lexsort((change, self.claim_at[known], claim))
        claim = claim[order]
        last = np.ones(len(claim), bool)
        last[:-1] = claim[1:] != claim[:-1]
        respond_by = (self.claim_respond_by[known][order] if len(self.claim_respond_by)
                      else np.zeros(len(claim), np.int64))
        lapsed = (respond_by > 0) & (respond_by <= at_micros)
        active = self.claim_active[known][order] & last & ~lapsed
        return self.claim_track_id[known][order][active]

    def purpose_codes(self, purposes: tuple[str, ...]) -> Ints:
        return np.array([i for i, name in enumerate(self.purpose_names) if name in purposes],
                        np.int64)


@dataclass(frozen=True)
class CatalogueDecisions:
    """Per track: allowed or not, and the code of the rule that decided (``Rule.code``)."""

    track_id: Ints
    allowed: Bools
    rule: npt.NDArray[np.int8]

    def rules(self) -> list[Rule]:
        return [Rule.from_code(int(code)) for code in self.rule]

    def to_arrow(self, eligible_only: bool = False) -> pa.Table:
        """track_id, eligible, rule (the rule's id): the eligibility export's columns."""
        names = pa.array([rule.value for rule in Rule])
        table = pa.table({"track_id": self.track_id, "eligible": self.allowed,
                          "rule": names.take(pa.array(self.rule.astype(np.int32)))})
        return table.filter(pa.array(self.allowed)) if eligible_only else table


def decide_catalogue(
    columns: CatalogueColumns,
    purpose: str,
    at: datetime,
    terms: TermsPolicy,
    agreements: tuple[Agreement, ...],
    consumer: Consumer | None = None,
    snapshot_tracks: Ints | None = None,
) -> CatalogueDecisions:
    """Decide one purpose for every track of ``columns``; ``snapshot_tracks`` are the tracks
    in a datasets-only consumer's snapshots for this purpose."""
    allowed, rule = _decide_purpose(columns, purpose, at, terms, agreements)
    extra = consumer.extra_consent_purpose(purpose) if consumer else None
    if extra is not None:
        extra_allowed, extra_rule = _decide_purpose(columns, extra, at, terms, agreements)
        rule = np.where(allowed, np.where(extra_allowed, rule, extra_rule),
                        np.where(extra_allowed, rule, np.minimum(rule, extra_rule)))
        allowed = allowed & extra_allowed
    if consumer is not None and consumer.datasets_only:
        if snapshot_tracks is None:
            raise ValueError("a datasets-only consumer's decisions need its snapshots' tracks")
        outside = allowed & ~np.isin(columns.track_id, snapshot_tracks)
        rule = np.where(outside, Rule.OUTSIDE_SNAPSHOTS.code, rule)
        allowed = allowed & ~outside
    return CatalogueDecisions(columns.track_id, allowed, rule.astype(np.int8))


@dataclass(frozen=True)
class SettlingEvents:
    """For a dataset manifest: which consent events made each track's answer what it is."""

    owner_event: Ints  # per track: the managing artist's settling event, 0 for none
    co_owner_track_id: Ints  # per co-owner row
    co_owner_event: Ints


def settling_events(columns: CatalogueColumns, purpose: str, at: datetime) -> SettlingEvents:
    """The events ``decide`` names in the reasons of owner-decided answers, for every track:
    the managing artist's and each co-owner's (every owner's answer counts)."""
    at_micros = to_micros(at)
    levels = _ScopeChoices(columns, purpose, at_micros)
    pending = columns.pending_shares(at_micros)
    owner = np.where(columns.counting(columns.artist_id, columns.track_id, pending),
                     levels.settling_event(columns.artist_id, columns.track_id), 0)
    co = np.where(columns.counting(columns.co_owner_artist_id, columns.co_owner_track_id,
                                   pending),
                  levels.settling_event(columns.co_owner_artist_id, columns.co_owner_track_id),
                  0)
    return SettlingEvents(owner, columns.co_owner_track_id, co)


def _decide_purpose(
    cols: CatalogueColumns, purpose: str, at: datetime, terms: TermsPolicy,
    agreements: tuple[Agreement, ...],
) -> tuple[Bools, npt.NDArray[np.int8]]:
    n = len(cols.track_id)
    if terms.prohibits(purpose) is not None:
        return np.zeros(n, bool), np.full(n, Rule.TERMS_PROHIBITION.code, np.int8)
    if terms.requires(purpose):
        return np.ones(n, bool), np.full(n, Rule.REQUIRED_USE.code, np.int8)
    restricting = [a.rights_holder_id for a in agreements
                   if a.in_force(at) and a.restricts(purpose) is not None]
    agreement_denies = np.isin(cols.rights_holder_id, np.array(restricting, np.int64))

    at_micros = to_micros(at)
    levels = _ScopeChoices(cols, purpose, at_micros)
    default = get_purpose(purpose).default_allowed
    owner_allowed, owner_rule = levels.owner_choice(cols.artist_id, cols.track_id, default)
    # an owner whose share does not count (invited, declined) is not read: platform default
    pending = cols.pending_shares(at_micros)
    counts = cols.counting(cols.artist_id, cols.track_id, pending)
    owner_allowed = np.where(counts, owner_allowed, default)
    owner_rule = np.where(counts, owner_rule, Rule.PLATFORM_DEFAULT.code).astype(np.int8)

    co_owner_denies = np.zeros(n, bool)
    if len(cols.co_owner_track_id):  # the strictest owner decides
        co_allowed, _ = levels.owner_choice(cols.co_owner_artist_id, cols.co_owner_track_id,
                                            default)
        co_allowed = np.where(cols.counting(cols.co_owner_artist_id, cols.co_owner_track_id,
                                            pending), co_allowed, default)
        denied_tracks = cols.co_owner_track_id[~co_allowed]
        co_owner_denies = np.isin(cols.track_id, denied_tracks)

    claimed = np.isin(cols.track_id, cols.claimed_track_ids(to_micros(at)))

    allowed = np.where(agreement_denies | claimed | co_owner_denies, False, owner_allowed)
    rule = np.where(agreement_denies, Rule.RIGHTS_HOLDER_AGREEMENT.code,
                    np.where(claimed, Rule.CONTENT_CLAIM.code,
                             np.where(co_owner_denies, Rule.CO_OWNER_CONSENT.code,
                                      owner_rule)))
    return allowed, rule.astype(np.int8)


class _ScopeChoices:
    """The settled choice (-1 deny, +1 allow) per (artist, scope) for one purpose."""

    def __init__(self, cols: CatalogueColumns, purpose: str, at_micros: int) -> None:
        chain = cols.purpose_codes(deny_chain(purpose))
        relevant = (cols.event_recorded_at <= at_micros) & np.isin(cols.event_purpose, chain)
        artist = cols.event_artist_id[relevant]
        track = cols.event_track_id[relevant]
        purpose_code = cols.event_purpose[relevant]
        allow = cols.event_allow[relevant]
        deny = cols.event_deny[relevant]
        event_id = cols.event_id[relevant]
        order = np.lexsort((event_id, cols.event_recorded_at[relevant],
                            purpose_code, track, artist))
        artist, track, purpose_code, allow, deny, event_id = (
            artist[order], track[order], purpose_code[order], allow[order], deny[order],
            event_id[order])
        # The last event of each (artist, scope, purpose) run is the latest one.
        last = np.ones(len(order), bool)
        last[:-1] = ((artist[1:] != artist[:-1]) | (track[1:] != track[:-1])
                     | (purpose_code[1:] != purpose_code[:-1]))
        allow_codes = cols.purpose_codes(allow_chain(purpose))
        latest_allow = allow[last] & np.isin(purpose_code[last], allow_codes)
        latest_deny = deny[last]
        # Sorted by artist then scope, so the keys come in order: each run is one scope.
        keys = _scope_key(artist[last], track[last])
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))[:len(keys)]
        self.keys = keys[starts]
        denied = np.logical_or.reduceat(latest_deny, starts) if len(keys) else latest_deny
        allowed = np.logical_or.reduceat(latest_allow, starts) if len(keys) else latest_allow
        self.value = np.where(denied, -1, np.where(allowed, 1, 0)).astype(np.int8)
        self.event = _settling_events(cols, purpose, purpose_code[last], latest_deny,
                                      latest_allow, event_id[last], starts, denied)
        self.key_track = (self.keys & 0xFFFFFFFF) - 1
        wide = self.key_track == NO_TRACK
        self.wide_artist, self.wide_value = self.keys[wide] >> 32, self.value[wide]
        self.scoped_track = self.key_track[~wide]

    def lookup(self, keys: Ints) -> npt.NDArray[np.int8]:
        if not len(self.keys):
            return np.zeros(len(keys), np.int8)
        position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[position] == keys, self.value[position], 0).astype(np.int8)

    def settling_event(self, artist: Ints, track: Ints) -> Ints:
        """The id of the event that settles each owner's choice (track scope first, then
        artist-wide), as ``decide`` names it in its reason; 0 where no event does."""
        result = np.zeros(len(artist), np.int64)
        if not len(self.keys):
            return result
        for scope in (track, np.full(len(artist), NO_TRACK)):
            keys = _scope_key(artist, scope)
            position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            found = (self.keys[position] == keys) & (self.value[position] != 0)
            result = np.where((result == 0) & found, self.event[position], result)
        return result

    def on_artist(self, artist: Ints) -> npt.NDArray[np.int8]:
        """The artist-wide choices of these artists: a table by artist id when ids are dense."""
        if not _dense(self.wide_artist, artist):
            return self.lookup(_scope_key(artist, np.full(len(artist), NO_TRACK)))
        table = np.zeros(self.wide_artist.max() + 2, np.int8)
        table[self.wide_artist] = self.wide_value
        return table[np.minimum(artist, len(table) - 1)]

    def on_track(self, artist: Ints, track: Ints) -> npt.NDArray[np.int8]:
        """The track choices: only rows whose track has one are searched, most have none."""
        if not _dense(self.scoped_track, track):
            return self.lookup(_scope_key(artist, track))
        marked = np.zeros(self.scoped_track.max() + 2, bool)
        marked[self.scoped_track] = True
        rows = np.flatnonzero(marked[np.minimum(track, len(marked) - 1)])
        found = np.zeros(len(track), np.int8)
        found[rows] = self.lookup(_scope_key(artist[rows], track[rows]))
        return found

    def owner_choice(
        self, artist: Ints, track: Ints, default: bool
    ) -> tuple[Bools, npt.NDArray[np.int8]]:
        """Track choice, else artist default, else platform default, with the deciding rule."""
        on_track = self.on_track(artist, track)
        on_artist = self.on_artist(artist)
        allowed = np.where(on_track != 0, on_track > 0,
                           np.where(on_artist != 0, on_artist > 0, default))
        rule = np.where(on_track != 0, Rule.ARTIST_TRACK_CHOICE.code,
                        np.where(on_artist != 0, Rule.ARTIST_DEFAULT.code,
                                 Rule.PLATFORM_DEFAULT.code))
        return allowed, rule.astype(np.int8)


def _settling_events(cols: CatalogueColumns, purpose: str, codes: Ints, deny: Bools,
                     allow: Bools, event_id: Ints, starts: Ints, denied: Bools) -> Ints:
    """Per scope, the event ``ConsentHistory.effective_choice`` returns: the first purpose of
    the deny chain whose latest event denies, else the first of the allow chain that allows."""
    if not len(starts):
        return np.zeros(0, np.int64)
    big = len(cols.purpose_names) + 1
    position = np.arange(len(codes), dtype=np.int64)
    picked: list[Ints] = []
    for chain, mask in ((deny_chain(purpose), deny), (allow_chain(purpose), allow)):
        ranks = np.full(big, big, np.int64)
        for place, name in enumerate(chain):
            if name in cols.purpose_names:
                ranks[cols.purpose_names.index(name)] = place
        rank = np.where(mask, ranks[codes], big)
        best = np.minimum.reduceat(rank * len(codes) + position, starts)
        picked.append(np.where(best // len(codes) < big, event_id[best % len(codes)], 0))
    return np.where(denied, picked[0], picked[1])


def _dense(ids: Ints, queries: Ints) -> bool:
    """Index a table by id instead of binary search: ids non-negative and not too sparse."""
    return bool(len(ids) and len(queries) and ids.min() >= 0 and queries.min() >= 0
                and ids.max() < max(8 * len(queries), 1 << 22))


def _scope_key(artist: Ints, track: Ints) -> Ints:
    """One int64 per (artist, scope); ids stay below 2**31."""
    return (artist.astype(np.int64) << 32) | (track.astype(np.int64) + 1)
