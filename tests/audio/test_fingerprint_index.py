"""The index adds, finds, removes and round-trips tracks through bytes."""

from __future__ import annotations

import numpy as np
import pytest

from consentry.audio.fingerprint import Fingerprint, fingerprint_samples
from consentry.audio.fingerprint_index import FingerprintIndex
from consentry.errors import InvalidInput
from tests.audio.music import piece


@pytest.fixture(scope="module")
def prints() -> dict[str, Fingerprint]:
    return {f"t{seed}": fingerprint_samples(piece(seed, 10.0)) for seed in range(3)}


def filled(prints: dict[str, Fingerprint]) -> FingerprintIndex:
    index = FingerprintIndex()
    index.add_many(prints.items())
    return index


def test_search_finds_every_landmark_of_a_track(prints: dict[str, Fingerprint]) -> None:
    index = filled(prints)
    assert len(index) == 3 and index.landmark_count == sum(
        len(p.landmarks) for p in prints.values())
    marks = prints["t1"].landmarks
    found = index.search(marks.hashes)
    slot_of_t1 = index.track_ids.index("t1")
    mine = found.slots == slot_of_t1
    pairs = set(zip(found.query[mine].tolist(), found.frames[mine].tolist(), strict=True))
    assert all((i, int(f)) in pairs for i, f in enumerate(marks.frames))
    assert index.hours == pytest.approx(30 / 3600, rel=0.01)


def test_removing_a_track_removes_its_landmarks(prints: dict[str, Fingerprint]) -> None:
    index = filled(prints)
    index.remove("t1")
    assert "t1" not in index and len(index) == 2
    found = index.search(prints["t1"].landmarks.hashes)
    assert index.track_ids == ["t0", "t2"]
    assert not np.any(found.slots == 1)
    index.add("t1", prints["t1"])  # and it can come back
    assert "t1" in index


def test_adding_twice_and_removing_the_unknown_are_errors(
        prints: dict[str, Fingerprint]) -> None:
    index = filled(prints)
    with pytest.raises(InvalidInput):
        index.add("t0", prints["t0"])
    with pytest.raises(InvalidInput):
        index.remove("nope")


def test_bytes_round_trip_keeps_search_results_and_peaks(
        prints: dict[str, Fingerprint]) -> None:
    index = filled(prints)
    index.remove("t0")
    copy = FingerprintIndex.from_bytes(index.to_bytes())
    keys = np.concatenate([p.landmarks.hashes for p in prints.values()])
    before, after = index.search(keys), copy.search(keys)
    for name in ("query", "slots", "frames"):
        np.testing.assert_array_equal(getattr(before, name), getattr(after, name))
    assert copy.track_ids == ["t1", "t2"]
    np.testing.assert_allclose(copy.track_peaks("t2").hz, prints["t2"].peaks.hz, atol=0.13)
    np.testing.assert_array_equal(copy.track_peaks("t2").frames, prints["t2"].peaks.frames)


def test_bytes_that_are_not_an_index_are_refused() -> None:
    with pytest.raises(InvalidInput):
        FingerprintIndex.from_bytes(b"not an index")
    arrays = FingerprintIndex().to_arrays()
    arrays["version"] = np.array([99], dtype=np.int32)
    with pytest.raises(InvalidInput, match="format 99"):
        FingerprintIndex.from_arrays(arrays)


def common_and_rare_index() -> FingerprintIndex:
    """Key 7 in every track (a common key), keys 100 + n in track n only."""
    from consentry.audio.landmarks import Landmarks
    from consentry.audio.peaks import Peaks

    index = FingerprintIndex()
    for n in range(50):
        hashes = np.array([7, 7, 100 + n], dtype=np.uint32)
        peaks = Peaks(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), 100)
        index.add(f"t{n}", Fingerprint(peaks, Landmarks(hashes, np.array([1, 2, 3],
                                                                          dtype=np.int32))))
    return index


def test_a_budget_drops_the_commonest_keys_first() -> None:
    index = common_and_rare_index()
    keys = np.array([7, 105, 130, 999], dtype=np.uint32)
    everything = index.search(keys)
    assert len(everything.query) == 100 + 2
    rare_only = index.search(keys, budget=10)
    assert sorted(rare_only.query.tolist()) == [1, 2]  # key 7's 100 entries did not fit
    assert sorted(rare_only.frames.tolist()) == [3, 3]
    assert len(index.search(keys, budget=102).query) == 102  # all fit: nothing dropped


def test_keys_past_the_stop_list_length_are_never_searched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import consentry.audio.fingerprint_index as module

    monkeypatch.setattr(module, "STOP_POSTINGS", 99)
    found = common_and_rare_index().search(np.array([7, 120], dtype=np.uint32))
    assert found.query.tolist() == [1]


def test_an_empty_index_finds_nothing_and_prepare_is_harmless() -> None:
    index = FingerprintIndex()
    index.prepare()
    assert len(index.search(np.array([1, 2], dtype=np.uint32)).query) == 0


def _synthetic(rng: np.random.Generator, count: int) -> Fingerprint:
    from consentry.audio.landmarks import Landmarks
    from consentry.audio.peaks import Peaks

    frames = np.sort(rng.integers(0, 5000, count)).astype(np.int32)
    return Fingerprint(Peaks(frames[: count // 6], np.full(count // 6, 440.0, np.float32), 5000),
                       Landmarks(rng.integers(0, 64, count, dtype=np.uint32), frames))


@pytest.mark.parametrize("seed", range(6))
def test_merges_in_steps_keep_the_order_of_one_stable_sort(seed: int) -> None:
    """Adds, searches (which merge), removals of merged and pending tracks, in any order,
    leave the arrays exactly as one stable sort of the live tracks' entries in slot order."""
    rng = np.random.default_rng(seed)
    index, live, next_id = FingerprintIndex(), {}, 0
    for _ in range(30):
        step = rng.random()
        if step < 0.55 or not live:
            name = f"t{next_id}"
            next_id += 1
            live[name] = _synthetic(rng, int(rng.integers(0, 300)))  # small hashes: many ties
            index.add(name, live[name])
        elif step < 0.8:
            index.search(np.arange(8, dtype=np.uint32))
        else:
            name = list(live)[int(rng.integers(0, len(live)))]
            index.remove(name)
            del live[name]
    arrays = index.to_arrays()
    names = sorted(live, key=index.slot)
    hashes = np.concatenate([np.zeros(0, np.uint32)] + [live[n].landmarks.hashes for n in names])
    slots = np.concatenate([np.zeros(0, np.uint32)] + [
        np.full(len(live[n].landmarks), index.slot(n), np.uint32) for n in names])
    frames = np.concatenate([np.zeros(0, np.int32)] + [live[n].landmarks.frames for n in names])
    order = np.argsort(hashes, kind="stable")
    assert np.array_equal(arrays["hashes"], hashes[order])
    assert np.array_equal(arrays["slots"], slots[order])
    assert np.array_equal(arrays["frames"], frames[order])
    assert arrays["hashes"].dtype == np.uint32 and arrays["slots"].dtype == np.uint32
    assert index.landmark_count == len(hashes)
