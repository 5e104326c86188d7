"""Which tracks of an index hold the same music: re-encodings, tempo variants, excerpts.

Each track is matched against all the others, a window at a time, with its own peaks; two
tracks whose windows match are one group (transitively). A catalogue uses it to find a
recording registered twice; the benchmark uses it so that a query whose music is in the
catalogue under another file name is not counted as a false positive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from consentry.audio.fingerprint_index import FingerprintIndex
from consentry.audio.matching import Match, match_peaks
from consentry.audio.peaks import FRAME_SECONDS, Peaks

# share of peaks landing: clean copies land about 0.8 of theirs, a noisy excerpt of a track
# (which any match may be) as little as 0.3
DUPLICATE_AGREEMENT = 0.5


@dataclass(frozen=True)
class SelfMatch:
    """A window of ``track_id`` (starting at ``window_start`` seconds) found in another track."""

    track_id: str
    window_start: float
    match: Match

    @property
    def offset(self) -> float:
        """Seconds into the other track where this track's start lies, by the match."""
        return self.match.track_start - self.match.speed * (
            self.match.query_start + self.window_start)


def duplicate_groups(index: FingerprintIndex, step: float = 20.0, window: float = 10.0,
                     confirm: Callable[[SelfMatch], bool] | None = None) -> dict[str, str]:
    """Each track's group, named by its first member in ``index.track_ids`` order.

    A window every ``step`` seconds of each track is searched in the others; ``confirm`` may
    veto a match with a check of its own (the benchmark compares the audio itself).
    """
    order = {track_id: n for n, track_id in enumerate(index.track_ids)}
    parent = {track_id: track_id for track_id in order}

    def root(track_id: str) -> str:
        while parent[track_id] != track_id:
            parent[track_id] = parent[parent[track_id]]
            track_id = parent[track_id]
        return track_id

    width, hop = round(window / FRAME_SECONDS), max(1, round(step / FRAME_SECONDS))
    for track_id in order:
        peaks = index.track_peaks(track_id)
        for first in range(0, max(peaks.frame_count - width, 0) + 1, hop):
            inside = (peaks.frames >= first) & (peaks.frames < first + width)
            part = Peaks(peaks.frames[inside] - first, peaks.hz[inside], width)
            for match in match_peaks(index, part, exclude=(track_id,)):
                if (match.confidence < DUPLICATE_AGREEMENT
                        or root(match.track_id) == root(track_id)):
                    continue
                if confirm is None or confirm(SelfMatch(track_id, first * FRAME_SECONDS,
                                                        match)):
                    a, b = sorted((root(track_id), root(match.track_id)), key=order.__getitem__)
                    parent[b] = a
    return {track_id: root(track_id) for track_id in order}
