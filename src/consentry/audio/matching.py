"""Which catalogue tracks a recording contains, where, and at what playback speed.

Every query landmark is hashed once per speed hypothesis; each index hit votes for a (track,
speed, time offset) triple, and a triple with enough votes within a frame of each other is a
match. The votes of one triple are then split where they leave gaps, so a query that strings
several tracks (or several parts of one) together yields one match per part. Each part is
believed only once its peaks land on the track's peaks far more often than chance would
have them (``verification``): votes alone let different music in the same key and tempo
through.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from consentry.audio.decode import ANALYSIS_RATE, DEFAULT_MAX_SECONDS, decode_audio, resample
from consentry.audio.fingerprint_index import FingerprintIndex, Postings
from consentry.audio.landmarks import PeakGroups, group_peaks, hash_groups
from consentry.audio.peaks import FRAME_SECONDS, Peaks, find_peaks
from consentry.audio.verification import Alignment, peak_agreement

DEFAULT_SPEEDS = tuple(round(0.94 + 0.01 * k, 2) for k in range(13))  # 0.94 ... 1.06
MIN_VOTES = 4  # query frames whose landmarks agree on one alignment, before verification
# the peaks of the voting triplets land by construction, so for a candidate of few votes
# they are set aside before the rest is judged against chance: without this, 3 s out-of-
# catalogue queries whose 20 landed peaks were mostly the votes' own reached 10.9 standard
# deviations. A candidate of many votes is judged on all its peaks: in a clean copy nearly
# every peak is a vote's, and what its votes leave over says nothing
_MANY_VOTES = 20
# many more alignments reach a few votes by chance than reach six, so the best of them lies
# further above chance: their significance is discounted (look-elsewhere). Without it,
# out-of-catalogue bursts of 4-5 votes reached 4.4, with it 1.9
_FEW_VOTES, _FEW_VOTES_DISCOUNT = 6, 2.5
# how far above chance the landed share must lie, in standard deviations (of the exact
# binomial tail): on 4,600 development queries of 3, 5 and 10 s in every condition, one
# out-of-catalogue query reached 4.5 (3 s under pink noise at 0 dB), the rest 3.3 at most
MIN_SIGNIFICANCE = 4.0
# or a share this high at 2 standard deviations: a loop-built track lands almost as much
# shifted by a bar as aligned, so a clean copy of it can stay under 4; out-of-catalogue
# music at 2 or more landed at most 0.47
SURE_SHARE, SURE_SHARE_SIGNIFICANCE = 0.6, 2.0
MAX_GAP_SECONDS = 6.0  # votes further apart than this start a new part
_MIN_LANDED = 20  # and never fewer peaks than this, whatever the share
_MIN_SHARE = 0.25  # nor a smaller share beyond the votes' own peaks
_FIT_SECONDS = 2.0  # votes spread over this much query time fit the speed better than the grid
_CONTEXT_SECONDS = 3.0  # short bursts of chance votes are judged on more than their span
_TAIL_FRAMES = 16  # peaks just after the last anchor still belong to the part
_MAX_CANDIDATES = 64  # (track, speed, offset) triples considered, most votes first
# alignments checked against peaks per pass, strongest first: 12 for a query up to half a
# minute, more for longer ones (a mix holds many tracks). Recall on the development queries
# was the same at 12 as at 24, and p99 latency 15-20 ms lower
_MAX_VERIFIED, _VERIFIED_PER_SECOND = 12, 0.4
_FIRST_SPEEDS = 0.015  # searched first: speeds this close to 1
_OFFSET_BIAS = 1 << 24
_SLOT_SHIFT = 26  # a vote's key: (slot, speed) above, offset + bias below
HIT_BUDGET = 40_000  # index entries met per query pass, the rarest keys first
# and in the pass over the far speeds, which only queries not found near 1 pay for: at
# 20,000, 96% of the 10 s queries at +5% were found, at 25,000 99% (development queries)
FAR_HIT_BUDGET = 25_000


@dataclass(frozen=True)
class Match:
    """A stretch of the query that is a stretch of a catalogue track.

    Times are seconds; ``speed`` > 1 means the query plays the track faster than the original.
    ``confidence`` is the share of the query's peaks in that stretch that land on the track's
    peaks at the found alignment: about 0.8 for a clean copy, 0.65 at 5 dB SNR, and for
    different music rarely above 0.35 (measured on real music). ``significance`` is how many
    standard deviations that share lies above the share landing by chance, the bar a match
    must pass (``MIN_SIGNIFICANCE``): a short or noisy copy lands fewer peaks but still far
    more than chance.
    """

    track_id: str
    query_start: float
    track_start: float
    matched_seconds: float
    confidence: float
    speed: float
    votes: int
    significance: float


@dataclass(frozen=True)
class _Hits:
    slots: np.ndarray
    speed_index: np.ndarray
    query_frames: np.ndarray
    offsets: np.ndarray
    keys: np.ndarray
    track_frames: np.ndarray
    groups: PeakGroups  # the query's triplets
    group: np.ndarray  # each hit's triplet in ``groups``


def match_file(index: FingerprintIndex, path: Path,
               max_seconds: float = DEFAULT_MAX_SECONDS) -> list[Match]:
    """The catalogue tracks an audio file contains; ``InvalidAudio`` if it is not audio."""
    return match_peaks(index, find_peaks(decode_audio(path, max_seconds).samples))


def match_samples(index: FingerprintIndex, samples: np.ndarray,
                  rate: int = ANALYSIS_RATE) -> list[Match]:
    """The catalogue tracks that mono ``samples`` at ``rate`` contain."""
    return match_peaks(index, find_peaks(resample(samples, rate, ANALYSIS_RATE)))


def match_peaks(index: FingerprintIndex, peaks: Peaks,
                speeds: tuple[float, ...] = DEFAULT_SPEEDS, min_votes: int = MIN_VOTES,
                min_significance: float = MIN_SIGNIFICANCE,
                exclude: Collection[str] = ()) -> list[Match]:
    """The matches of a query given as its peaks, in query order.

    Most queries play at the original speed: the speeds nearest 1 are searched first, and
    the rest only when what they found there covers less than half of the query. Tracks in
    ``exclude`` are not searched (a catalogue track checked against the rest of the catalogue).
    """
    skipped = np.array([index.slot(t) for t in exclude if t in index], dtype=np.int64)
    groups = group_peaks(peaks)  # the triplets are the same at every speed, only hashed anew
    near = tuple(s for s in speeds if abs(s - 1.0) <= _FIRST_SPEEDS)
    if not near or len(near) == len(speeds):
        return _match_at(index, peaks, groups, speeds, min_votes, min_significance, skipped)
    found = _match_at(index, peaks, groups, near, min_votes, min_significance, skipped)
    sure = (m.matched_seconds for m in found
            if strength(m) >= MIN_SIGNIFICANCE and abs(m.speed - 1.0) <= _FIRST_SPEEDS)
    if sum(sure) >= 0.5 * peaks.seconds:
        return found
    # the other speeds get a hit budget of their own rather than sharing one with these
    far = tuple(s for s in speeds if s not in near)
    return _merged(found, _match_at(index, peaks, groups, far, min_votes, min_significance,
                                    skipped, FAR_HIT_BUDGET))


def _merged(first: list[Match], second: list[Match]) -> list[Match]:
    """Both lists' matches, the weaker of two overlapping matches to one track dropped."""
    kept: list[Match] = []
    for match in sorted(first + second, key=lambda m: -m.significance):
        end = match.query_start + match.matched_seconds
        if not any(k.track_id == match.track_id and k.query_start < end
                   and match.query_start < k.query_start + k.matched_seconds for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: (m.query_start, -m.significance))


def _match_at(index: FingerprintIndex, peaks: Peaks, groups: PeakGroups,
              speeds: tuple[float, ...], min_votes: int, min_significance: float,
              skipped: np.ndarray, budget: int | None = None) -> list[Match]:
    hits = _collect_hits(index, peaks, groups, speeds, skipped,
                         HIT_BUDGET if budget is None else budget)
    if not len(hits.keys):
        return []
    # stable: the hits of one alignment stay in query-frame order, as they were collected
    order = _stable_order(hits.keys)
    keys = hits.keys[order]
    new_key = np.concatenate(([True], keys[1:] != keys[:-1]))
    starts = np.flatnonzero(new_key)
    ends = np.append(starts[1:], len(keys))
    unique = keys[starts]
    # distinct query frames voting for each alignment: an anchor whose several triplets
    # meet one place (a held note) votes once
    run = np.cumsum(new_key) - 1
    frames = hits.query_frames[order]
    new_frame = new_key | np.concatenate(([True], frames[1:] != frames[:-1]))
    counts = np.bincount(run[new_frame], minlength=len(unique))
    # and within a frame of each offset
    before = np.concatenate(([False], unique[1:] == unique[:-1] + 1))
    after = np.concatenate((unique[:-1] + 1 == unique[1:], [False]))
    near = counts.copy()
    near[before] += counts[np.flatnonzero(before) - 1]
    near[after] += counts[np.flatnonzero(after) + 1]
    strongest = np.flatnonzero(near >= min_votes)
    if len(strongest) > _MAX_CANDIDATES:
        strongest = strongest[np.argpartition(-near[strongest], _MAX_CANDIDATES)[
            :_MAX_CANDIDATES]]
    strongest = strongest[np.argsort(-near[strongest], kind="stable")]
    matches: list[Match] = []
    taken: dict[int, list[tuple[float, float]]] = {}
    verified = 0
    for candidate in strongest:
        if verified >= max(_MAX_VERIFIED, round(_VERIFIED_PER_SECOND * peaks.seconds)):
            break
        lo = starts[candidate - 1] if before[candidate] else starts[candidate]
        hi = ends[candidate + 1] if after[candidate] else ends[candidate]
        members = order[lo:hi]
        if _within(taken.get(int(hits.slots[members[0]]), []),
                   _span(hits.query_frames[members])):
            continue  # next to an alignment already found: every part of it would overlap
        for chosen in _parts(members, hits.query_frames, min_votes):
            slot = int(hits.slots[chosen[0]])
            span = _span(hits.query_frames[chosen])
            if _overlaps(taken.get(slot, []), span):
                continue
            of_slot = order[np.searchsorted(keys, (slot * len(speeds)) << _SLOT_SHIFT):
                            np.searchsorted(keys, ((slot + 1) * len(speeds)) << _SLOT_SHIFT)]
            match = _verified(index, peaks, hits, chosen, of_slot, speeds, min_significance)
            verified += 1
            if match is not None:
                taken.setdefault(slot, []).append(span)
                matches.append(match)
    return sorted(matches, key=lambda m: (m.query_start, -m.significance))


def _collect_hits(index: FingerprintIndex, peaks: Peaks, groups: PeakGroups,
                  speeds: tuple[float, ...], skipped: np.ndarray, budget: int) -> _Hits:
    """Hash the query under each speed and look every distinct key up once.

    The hits come out speed by speed, each speed's in query-frame order (anchors are).
    """
    per_speed = [hash_groups(peaks, groups, speed).hashes for speed in speeds]
    if not groups.anchors.size:
        empty = np.zeros(0, dtype=np.int64)
        return _Hits(empty, empty, empty, empty, empty, empty, groups, empty)
    all_hashes = np.concatenate(per_speed)
    speed_of = np.repeat(np.arange(len(speeds)), len(groups.anchors))
    anchor_frames = np.tile(peaks.frames[groups.anchors], len(speeds))
    distinct, inverse = np.unique(all_hashes, return_inverse=True)
    found: Postings = index.search(distinct, budget=budget)
    if len(skipped):
        kept = ~np.isin(found.slots, skipped)
        found = Postings(found.query[kept], found.slots[kept], found.frames[kept])
    # every query landmark meets every posting of its key
    postings_of = np.bincount(found.query, minlength=len(distinct))
    starts = np.cumsum(postings_of) - postings_of
    per_landmark = postings_of[inverse]
    landmark = np.repeat(np.arange(len(all_hashes)), per_landmark)
    within = np.arange(len(landmark)) - np.repeat(np.cumsum(per_landmark) - per_landmark,
                                                  per_landmark)
    posting = starts[inverse[landmark]] + within
    slots = found.slots[posting].astype(np.int64)
    speed_index = speed_of[landmark]
    query_frames = anchor_frames[landmark].astype(np.int64)
    scale = np.asarray(speeds)[speed_index]
    track_frames = found.frames[posting].astype(np.int64)
    offsets = track_frames - np.rint(query_frames * scale).astype(np.int64)
    keys = ((slots * len(speeds) + speed_index) << _SLOT_SHIFT) + offsets + _OFFSET_BIAS
    return _Hits(slots, speed_index, query_frames, offsets, keys, track_frames, groups,
                 landmark % len(groups.anchors))


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """What ``np.argsort(keys, kind="stable")`` gives, sooner.

    Each key is packed with its position into one integer and those are sorted: numpy sorts
    int64 values four to five times faster than it argsorts them stably (0.6 ms against
    2.9 on a query's 56,000 votes). Where the packed values would not fit, the (track,
    speed) part of the keys is first replaced by its rank among the keys.
    """
    count = len(keys)
    limit = np.iinfo(np.int64).max // max(count, 1)
    if count and int(keys.max()) >= limit:
        high = keys >> _SLOT_SHIFT
        keys = (np.searchsorted(_distinct(high), high) << _SLOT_SHIFT) | (
            keys & ((1 << _SLOT_SHIFT) - 1))
        if int(keys.max()) >= limit:
            return np.argsort(keys, kind="stable")
    return np.sort(keys * count + np.arange(count)) % count


def _within(spans: list[tuple[float, float]], span: tuple[float, float]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


def _overlaps(spans: list[tuple[float, float]], span: tuple[float, float]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans)


def _parts(members: np.ndarray, query_frames: np.ndarray,
           min_votes: int) -> list[np.ndarray]:
    """The runs of ``members`` without a gap longer than ``MAX_GAP_SECONDS``, each with
    votes from at least ``min_votes`` distinct query frames."""
    members = members[np.argsort(query_frames[members], kind="stable")]
    frames = query_frames[members]
    breaks = np.nonzero(np.diff(frames) > MAX_GAP_SECONDS / FRAME_SECONDS)[0] + 1
    return [run for run in np.split(members, breaks)
            if len(_distinct(query_frames[run])) >= min_votes]


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting: numpy 2's hashing ``unique`` took 16 ms, not 1, on the
    40,000 votes of a query (measured on numpy 2.4), half of a whole query's time."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _triplet_peaks(hits: _Hits, chosen: np.ndarray) -> int:
    """How many distinct query peaks the triplets of ``chosen`` hits are made of."""
    group = hits.group[chosen]
    return len(_distinct(np.concatenate((hits.groups.anchors[group], hits.groups.first[group],
                                         hits.groups.second[group]))))


def _span(frames: np.ndarray) -> tuple[float, float]:
    return float(frames.min()) * FRAME_SECONDS, float(frames.max() + 1) * FRAME_SECONDS


def _fitted(hits: _Hits, of_slot: np.ndarray, speed: float, offset: float, first: int,
            last: int) -> tuple[float, float]:
    """Speed and offset fitted to every hit near the line, whatever its speed hypothesis.

    The votes of one hypothesis drift out of its one-frame window when the true speed lies
    between two hypotheses; hits of the neighbouring hypotheses complete the line.
    """
    query_frames = hits.query_frames[of_slot].astype(np.float64)
    track_frames = hits.track_frames[of_slot]
    near = ((query_frames >= first) & (query_frames <= last)
            & (np.abs(track_frames - offset - speed * query_frames) <= 2.0))
    if np.count_nonzero(near) < 3:
        return speed, offset
    slope, intercept = np.polyfit(query_frames[near], track_frames[near], 1)
    return float(slope), float(intercept)


def _verified(index: FingerprintIndex, peaks: Peaks, hits: _Hits, chosen: np.ndarray,
              of_slot: np.ndarray, speeds: tuple[float, ...],
              min_significance: float) -> Match | None:
    """The match these votes claim, if the query's peaks bear it out."""
    slot = int(hits.slots[chosen[0]])
    speed = speeds[int(hits.speed_index[chosen[0]])]
    query_frames = hits.query_frames[chosen].astype(np.float64)
    offset = float(np.median(hits.track_frames[chosen] - query_frames * speed))
    first, last = int(query_frames.min()), int(query_frames.max())
    if last - first >= _FIT_SECONDS / FRAME_SECONDS:
        speed, offset = _fitted(hits, of_slot, speed, offset, first, last)
    # judged over a few seconds more than the votes cover, within the query and the track
    context = _CONTEXT_SECONDS / FRAME_SECONDS
    track_end = (index.frame_count(slot) - offset) / speed
    agreement = peak_agreement(peaks, index.peaks(slot), Alignment(speed, offset),
                               int(max(first - context, -offset / speed)),
                               int(min(last + _TAIL_FRAMES + context, track_end)), _MIN_SHARE)
    votes = len(_distinct(query_frames))
    evidence = agreement if votes >= _MANY_VOTES else agreement.without(
        _triplet_peaks(hits, chosen))
    if agreement.landed < _MIN_LANDED or evidence.share < _MIN_SHARE:
        return None
    significance = evidence.significance - (_FEW_VOTES_DISCOUNT if votes < _FEW_VOTES else 0)
    start, end = first * FRAME_SECONDS, (last + 1) * FRAME_SECONDS
    match = Match(index.track_id(slot), start, (offset + first * speed) * FRAME_SECONDS,
                  end - start, round(agreement.share, 3), round(speed, 4), votes,
                  round(significance, 2))
    return match if strength(match) >= min_significance else None


def strength(match: Match) -> float:
    """What the significance bar is held against: the significance, or infinity for a match
    whose share makes it sure (``SURE_SHARE`` at ``SURE_SHARE_SIGNIFICANCE``)."""
    if match.confidence >= SURE_SHARE and match.significance >= SURE_SHARE_SIGNIFICANCE:
        return math.inf
    return match.significance
