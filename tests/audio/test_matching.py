"""The matcher finds catalogue music in queries: where, how fast, through noise and codecs."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile

from consentry.audio.fingerprint import fingerprint_samples
from consentry.audio.fingerprint_index import FingerprintIndex
from consentry.audio.matching import (
    _SLOT_SHIFT,
    MIN_SIGNIFICANCE,
    Match,
    _stable_order,
    match_file,
    match_samples,
)
from consentry.audio.peaks import FRAME_SECONDS
from tests.audio.music import RATE, piece, played_at, with_noise

TRACKS = {f"track-{seed}": piece(seed) for seed in range(6)}


@pytest.fixture(scope="module")
def index() -> FingerprintIndex:
    catalogue = FingerprintIndex()
    for track_id, samples in TRACKS.items():
        catalogue.add(track_id, fingerprint_samples(samples))
    return catalogue


def cut(track_id: str, start: float, seconds: float) -> np.ndarray:
    return TRACKS[track_id][int(start * RATE):int((start + seconds) * RATE)]


def only(matches: list[Match]) -> Match:
    assert len(matches) == 1, matches
    return matches[0]


def track_offset(match: Match) -> float:
    """Where in the track the query's first sample lies, by this match."""
    return match.track_start - match.query_start * match.speed


def test_a_clean_excerpt_is_found_to_within_a_frame(index: FingerprintIndex) -> None:
    match = only(match_samples(index, cut("track-3", 7.3, 8.0)))
    assert match.track_id == "track-3"
    assert abs(track_offset(match) - 7.3) <= FRAME_SECONDS
    assert match.speed == pytest.approx(1.0, abs=0.002)
    assert match.confidence > 0.6
    assert match.significance > 2 * MIN_SIGNIFICANCE
    assert 6.0 < match.matched_seconds <= 8.0


@pytest.mark.parametrize("speed", [0.95, 0.97, 1.03, 1.05])
def test_playback_speed_changes_of_five_percent_are_found_and_measured(
        index: FingerprintIndex, speed: float) -> None:
    match = only(match_samples(index, played_at(cut("track-1", 11.0, 9.0), speed)))
    assert match.track_id == "track-1"
    assert match.speed == pytest.approx(speed, abs=0.005)
    assert abs(track_offset(match) - 11.0) <= 2 * FRAME_SECONDS


def test_noise_at_five_db_snr_still_finds_the_track(index: FingerprintIndex) -> None:
    match = only(match_samples(index, with_noise(cut("track-2", 4.0, 10.0), 5.0, seed=3)))
    assert match.track_id == "track-2"
    assert abs(track_offset(match) - 4.0) <= FRAME_SECONDS


def test_an_mp3_re_encode_is_found(index: FingerprintIndex, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    soundfile.write(buffer, cut("track-5", 9.0, 8.0), RATE, format="MP3",
                    subtype="MPEG_LAYER_III")
    path = tmp_path / "query.mp3"
    path.write_bytes(buffer.getvalue())
    match = only(match_file(index, path))
    assert match.track_id == "track-5"
    assert abs(track_offset(match) - 9.0) <= 0.1  # MP3 adds its encoder delay


def test_music_outside_the_catalogue_matches_nothing(index: FingerprintIndex) -> None:
    for seed in (40, 41, 42):
        assert match_samples(index, piece(seed, 12.0)) == []


def test_silence_and_very_short_queries_match_nothing(index: FingerprintIndex) -> None:
    assert match_samples(index, np.zeros(RATE * 5, dtype=np.float32)) == []
    assert match_samples(index, cut("track-0", 3.0, 0.2)) == []


def test_a_query_stringing_tracks_together_yields_one_match_per_part(
        index: FingerprintIndex) -> None:
    query = np.concatenate([cut("track-1", 10.0, 8.0), cut("track-4", 3.0, 9.0),
                            cut("track-0", 20.0, 7.0)])
    matches = match_samples(index, query)
    assert [m.track_id for m in matches] == ["track-1", "track-4", "track-0"]
    for match, (start, offset) in zip(matches, [(0.0, 10.0), (8.0, 3.0), (17.0, 20.0)],
                                      strict=True):
        assert match.query_start == pytest.approx(start, abs=1.0)
        assert abs(match.track_start - match.query_start - (offset - start)) <= FRAME_SECONDS


def test_samples_at_another_rate_are_resampled(index: FingerprintIndex) -> None:
    from scipy.signal import resample_poly

    at_22k = resample_poly(cut("track-4", 5.0, 8.0), 441, 160).astype(np.float32)
    match = only(match_samples(index, at_22k, rate=22_050))
    assert match.track_id == "track-4"
    assert abs(track_offset(match) - 5.0) <= FRAME_SECONDS


def test_an_empty_catalogue_matches_nothing() -> None:
    assert match_samples(FingerprintIndex(), cut("track-2", 0.0, 6.0)) == []


@pytest.mark.parametrize(("count", "tracks"), [(5_000, 1 << 10), (5_000, 1 << 36),
                                               (400_000, 1 << 36)])
def test_votes_are_grouped_as_a_stable_sort_groups_them(count: int, tracks: int) -> None:
    # a small catalogue packs the keys as they are; a huge one ranks the (track, speed)
    # part first; a huge one with very many votes falls back to numpy's stable argsort
    rng = np.random.default_rng(count + tracks)
    keys = (rng.integers(0, tracks, count) << _SLOT_SHIFT) + rng.integers(0, 40, count)
    assert np.array_equal(_stable_order(keys), np.argsort(keys, kind="stable"))
