"""Tracks holding the same music are grouped: a re-encoding, a tempo variant, an excerpt."""

from __future__ import annotations

import numpy as np

from consentry.audio.duplicates import SelfMatch, duplicate_groups
from consentry.audio.fingerprint import fingerprint_samples
from consentry.audio.fingerprint_index import FingerprintIndex
from consentry.audio.matching import match_peaks
from consentry.audio.peaks import find_peaks
from tests.audio.music import RATE, piece, played_at, with_noise


def catalogue() -> FingerprintIndex:
    index = FingerprintIndex()
    original, other = piece(1, 40.0), piece(2, 40.0)
    index.add_many([
        ("original", fingerprint_samples(original)),
        ("other", fingerprint_samples(other)),
        ("noisy copy", fingerprint_samples(with_noise(original, 15.0, seed=5))),
        ("faster", fingerprint_samples(played_at(original, 1.04))),
        ("excerpt", fingerprint_samples(np.concatenate([piece(3, 20.0), original[:20 * RATE]]))),
    ])
    return index


def test_copies_variants_and_excerpts_share_a_group_and_other_music_does_not() -> None:
    groups = duplicate_groups(catalogue(), step=10.0)
    assert groups == {"original": "original", "other": "other", "noisy copy": "original",
                      "faster": "original", "excerpt": "original"}


def test_a_confirmation_can_veto_self_matches_and_sees_their_alignment() -> None:
    seen: list[SelfMatch] = []

    def refuse(found: SelfMatch) -> bool:
        seen.append(found)
        return False

    groups = duplicate_groups(catalogue(), step=10.0, confirm=refuse)
    assert set(groups.values()) == set(groups)  # every track alone
    excerpt_in_original = [s for s in seen
                           if s.track_id == "excerpt" and s.match.track_id == "original"]
    assert excerpt_in_original  # the excerpt's second half is the original's start
    assert all(abs(s.offset + 20.0) < 0.1 for s in excerpt_in_original)


def test_excluded_tracks_are_not_searched() -> None:
    index = catalogue()
    peaks = find_peaks(piece(1, 40.0)[5 * RATE:15 * RATE])
    assert {m.track_id for m in match_peaks(index, peaks)} >= {"original", "noisy copy"}
    found = {m.track_id for m in match_peaks(index, peaks, exclude=("original", "nope"))}
    assert "original" not in found and "noisy copy" in found
