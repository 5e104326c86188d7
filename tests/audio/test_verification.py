"""Verification: a true alignment lands far more peaks than chance, a wrong one does not."""

from __future__ import annotations

import numpy as np
import pytest

from consentry.audio.decode import ANALYSIS_RATE
from consentry.audio.peaks import FRAME_SECONDS, N_FFT, Peaks, find_peaks
from consentry.audio.verification import Agreement, Alignment, peak_agreement
from tests.audio.music import RATE, piece, with_noise

TRACK = piece(21, seconds=40.0)
TRACK_PEAKS = find_peaks(TRACK)
START = 12.0  # seconds into the track where the query is cut
OFFSET = START / FRAME_SECONDS


def query(seconds: float = 10.0, snr_db: float | None = None) -> Peaks:
    clip = TRACK[int(START * RATE):int((START + seconds) * RATE)]
    return find_peaks(clip if snr_db is None else with_noise(clip, snr_db, seed=3))


def whole(peaks: Peaks, alignment: Alignment, min_share: float = 0.0) -> Agreement:
    return peak_agreement(peaks, TRACK_PEAKS, alignment, 0, peaks.frame_count, min_share)


def test_a_true_alignment_lands_most_peaks_far_above_chance() -> None:
    found = whole(query(), Alignment(1.0, OFFSET))
    assert found.share > 0.6
    assert found.chance is not None and found.chance < 0.35
    assert found.significance > 15


def test_noise_lowers_the_share_but_the_copy_stays_significant() -> None:
    clean, noisy = whole(query(), Alignment(1.0, OFFSET)), whole(query(snr_db=5.0),
                                                                  Alignment(1.0, OFFSET))
    assert noisy.share < clean.share
    assert noisy.significance > 7.5


@pytest.mark.parametrize("seconds_off", [-5.1, 1.3, 7.7])
def test_a_wrong_offset_lands_few_peaks_and_far_less_significantly(seconds_off: float) -> None:
    # repeated bars land some peaks at a wrong offset: fewer than the matcher's share floor
    true = whole(query(), Alignment(1.0, OFFSET))
    found = whole(query(), Alignment(1.0, OFFSET + seconds_off / FRAME_SECONDS))
    assert found.share < 0.25
    assert found.significance < true.significance / 2


def test_other_music_in_the_same_key_is_not_significant() -> None:
    other = find_peaks(piece(22, seconds=10.0))
    found = whole(other, Alignment(1.0, OFFSET))
    assert found.significance < 4


def test_chance_is_not_worked_out_under_the_minimum_share() -> None:
    found = whole(query(), Alignment(1.0, OFFSET + 4.0 / FRAME_SECONDS), min_share=0.5)
    assert found.share < 0.5
    assert found.chance is None
    assert found.significance == 0.0


def test_only_peaks_mapped_inside_the_track_count() -> None:
    peaks = query()
    before_start = Alignment(1.0, -peaks.frame_count / 2)  # half the query precedes the track
    found = whole(peaks, before_start)
    inside = int(np.count_nonzero(peaks.frames >= peaks.frame_count / 2))
    assert found.total == pytest.approx(inside, abs=2)


def test_an_empty_query_agrees_with_nothing() -> None:
    empty = Peaks(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), 100)
    found = whole(empty, Alignment(1.0, OFFSET))
    assert (found.landed, found.total, found.significance) == (0, 0, 0.0)


def test_a_peak_lands_within_a_frame_and_half_a_bin_of_a_track_peak() -> None:
    bin_hz = ANALYSIS_RATE / N_FFT
    # frame 100's peaks out of frequency order; 270 Hz sits where a search for a frequency
    # above the band, not held to its frame, would run into the next frame's low peaks
    track = Peaks(np.array([100, 100, 100, 200], dtype=np.int32),
                  np.array([3990.0, 1000.0, 270.0, 500.0], dtype=np.float32), 400)

    def landed(frame: int, hz: float) -> int:
        one = Peaks(np.array([frame], dtype=np.int32), np.array([hz], dtype=np.float32), 400)
        return peak_agreement(one, track, Alignment(1.0, 0.0), 0, 400).landed

    assert [landed(frame, 1000.0) for frame in (98, 99, 100, 101, 102)] == [0, 1, 1, 1, 0]
    assert landed(100, 1000.0 + 0.4 * bin_hz) == 1
    assert landed(100, 1000.0 - 2 * bin_hz) == 0
    assert landed(101, 3995.0) == 1
    assert [landed(frame, 4300.0) for frame in (98, 99, 100)] == [0, 0, 0]
    assert landed(200, 270.0) == 0
