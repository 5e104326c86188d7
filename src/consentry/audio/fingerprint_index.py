"""The catalogue's landmarks in three sorted numpy arrays, searched with ``searchsorted``.

Sorted arrays rather than a dict of lists: 12 bytes a landmark, one vectorised binary search
per query, and a form a database keeps as a few blobs and loads without parsing. Tracks are
added to a pending list that is merged on the next search, so a bulk load sorts once. Each
track's peaks are kept too (6 bytes a peak, a tenth of the landmarks' space): the matcher
checks a candidate alignment against them before it believes the hashes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from consentry.audio.fingerprint import Fingerprint
from consentry.audio.peaks import FRAME_SECONDS, Peaks
from consentry.errors import InvalidInput

FORMAT_VERSION = 1
_HZ_UNIT = 0.25  # stored peak frequencies are multiples of this (uint16 up to 16 kHz)
STOP_POSTINGS = 4_096  # keys this common in the catalogue carry no information: skipped


@dataclass(frozen=True)
class Postings:
    """Index entries found for a batch of query keys: which key (``query``), track and time."""

    query: np.ndarray  # index into the keys searched
    slots: np.ndarray  # uint32 track slot
    frames: np.ndarray  # int32 anchor frame in the track


class FingerprintIndex:
    """Track ids and their landmarks; add and remove tracks, search many keys at once."""

    def __init__(self) -> None:
        self._track_ids: list[str | None] = []
        self._slot_of: dict[str, int] = {}
        self._frame_counts: list[int] = []
        self._peaks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._hashes = np.zeros(0, dtype=np.uint32)
        self._slots = np.zeros(0, dtype=np.uint32)
        self._frames = np.zeros(0, dtype=np.int32)
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._directory: _Directory | None = None  # built on the first search

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._slot_of

    @property
    def track_ids(self) -> list[str]:
        return list(self._slot_of)

    @property
    def landmark_count(self) -> int:
        return len(self._hashes) + sum(len(p[0]) for p in self._pending)

    @property
    def hours(self) -> float:
        return sum(self._frame_counts[s] for s in self._slot_of.values()) * FRAME_SECONDS / 3600

    @property
    def nbytes(self) -> int:
        self._merge()
        peaks = sum(f.nbytes + h.nbytes for f, h in self._peaks.values())
        return int(self._hashes.nbytes + self._slots.nbytes + self._frames.nbytes + peaks)

    def add(self, track_id: str, fingerprint: Fingerprint) -> None:
        """Add a track; a track id already present is an error (remove it first)."""
        peaks, landmarks = fingerprint.peaks, fingerprint.landmarks
        if track_id in self._slot_of:
            raise InvalidInput(f"track {track_id!r} is already in the fingerprint index")
        slot = len(self._track_ids)
        self._track_ids.append(track_id)
        self._frame_counts.append(int(peaks.frame_count))
        self._peaks[slot] = (peaks.frames.astype(np.int32),
                             np.rint(peaks.hz / _HZ_UNIT).astype(np.uint16))
        self._slot_of[track_id] = slot
        # no copies until the merge: the slot column is one value seen len(landmarks) times
        self._pending.append((np.asarray(landmarks.hashes, dtype=np.uint32),
                              np.broadcast_to(np.uint32(slot), (len(landmarks),)),
                              np.asarray(landmarks.frames, dtype=np.int32)))

    def remove(self, track_id: str) -> None:
        """Remove a track and its landmarks; unknown ids are an error."""
        slot = self._slot_of.pop(track_id, None)
        if slot is None:
            raise InvalidInput(f"track {track_id!r} is not in the fingerprint index")
        self._track_ids[slot] = None
        del self._peaks[slot]
        # a track still pending leaves without merging (sorting) the others
        self._pending = [p for p in self._pending if not (len(p[1]) and p[1][0] == slot)]
        keep = self._slots != slot
        if not keep.all():
            self._hashes, self._slots, self._frames = (
                self._hashes[keep], self._slots[keep], self._frames[keep])
            self._directory = None

    def slot(self, track_id: str) -> int:
        """Where a track's entries are: the ``slots`` that ``search`` reports for it."""
        slot = self._slot_of.get(track_id)
        if slot is None:
            raise InvalidInput(f"track {track_id!r} is not in the fingerprint index")
        return slot

    def track_id(self, slot: int) -> str:
        track_id = self._track_ids[slot]
        if track_id is None:
            raise InvalidInput(f"slot {slot} holds a removed track")
        return track_id

    def frame_count(self, slot: int) -> int:
        return self._frame_counts[slot]

    def track_peaks(self, track_id: str) -> Peaks:
        return self.peaks(self.slot(track_id))

    def peaks(self, slot: int) -> Peaks:
        """The peaks of the track in ``slot``, as stored (frequencies to a quarter hertz)."""
        frames, hz = self._peaks[slot]
        return Peaks(frames, hz.astype(np.float32) * np.float32(_HZ_UNIT),
                     self._frame_counts[slot])

    def search(self, keys: np.ndarray, budget: int | None = None) -> Postings:
        """Every entry whose hash is one of ``keys``, except keys past ``STOP_POSTINGS``.

        With a ``budget``, the rarest keys come first and the commonest are dropped until at
        most ``budget`` entries are left: a common key votes for many places at once and says
        little about any of them, and the work of a query follows the entries it meets.
        """
        self._merge()
        keys = np.asarray(keys, dtype=np.uint32)
        starts, ends = self._ranges(keys)
        counts = ends - starts
        counts[counts > STOP_POSTINGS] = 0
        if budget is not None and int(counts.sum()) > budget:
            counts[counts >= _budget_cut(counts, budget)] = 0
        total = int(counts.sum())
        query = np.repeat(np.arange(len(keys)), counts)
        first_of_run = np.cumsum(counts) - counts
        positions = np.arange(total) - np.repeat(first_of_run - starts, counts)
        return Postings(query, self._slots[positions], self._frames[positions])

    def _ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each key's entries start and end.

        The distinct hashes (about one entry in eight) are searched, once, rather than all
        entries twice: 12,000 keys in 45 million entries took 32 ms, now 6 ms.
        """
        if self._directory is None:
            self._directory = _Directory(self._hashes)
        return self._directory.ranges(keys)

    def prepare(self) -> None:
        """Merge pending tracks and build the directory now rather than on the first search
        (a second or two for 100 hours), e.g. right after loading at start."""
        self._merge()
        if self._directory is None:
            self._directory = _Directory(self._hashes)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The index as named arrays, for a store to keep as it likes (blobs, files)."""
        self._merge()
        ids = ["" if t is None else t for t in self._track_ids]
        live = sorted(self._peaks)
        empty = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16))
        return {"version": np.array([FORMAT_VERSION], dtype=np.int32),
                "track_ids": np.array(ids, dtype=np.str_),
                "frame_counts": np.array(self._frame_counts, dtype=np.int64),
                "hashes": self._hashes, "slots": self._slots, "frames": self._frames,
                "peak_counts": np.array([len(self._peaks.get(s, empty)[0])
                                         for s in range(len(self._track_ids))], dtype=np.int64),
                "peak_frames": np.concatenate([empty[0], *(self._peaks[s][0] for s in live)]),
                "peak_hz": np.concatenate([empty[1], *(self._peaks[s][1] for s in live)])}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> FingerprintIndex:
        version = int(arrays["version"][0])
        if version != FORMAT_VERSION:
            raise InvalidInput(f"fingerprint index format {version} is not supported "
                               f"(this version reads {FORMAT_VERSION})")
        index = cls()
        index._track_ids = [str(t) or None for t in arrays["track_ids"]]
        index._slot_of = {t: s for s, t in enumerate(index._track_ids) if t is not None}
        index._frame_counts = [int(c) for c in arrays["frame_counts"]]
        hashes = np.asarray(arrays["hashes"], dtype=np.uint32)
        if len(hashes) > 1 and bool(np.any(hashes[1:] < hashes[:-1])):
            raise InvalidInput("fingerprint index hashes are not sorted")
        index._hashes = hashes
        index._slots = np.asarray(arrays["slots"], dtype=np.uint32)
        index._frames = np.asarray(arrays["frames"], dtype=np.int32)
        counts = np.asarray(arrays["peak_counts"], dtype=np.int64)
        if not len(index._slots) == len(index._frames) == len(hashes) or len(counts) != len(
                index._track_ids) or int(counts.sum()) != len(arrays["peak_frames"]):
            raise InvalidInput("fingerprint index arrays disagree in length")
        bounds = np.concatenate([[0], np.cumsum(counts)])
        peak_frames = np.asarray(arrays["peak_frames"], dtype=np.int32)
        peak_hz = np.asarray(arrays["peak_hz"], dtype=np.uint16)
        for slot in index._slot_of.values():
            index._peaks[slot] = (peak_frames[bounds[slot]:bounds[slot + 1]],
                                  peak_hz[bounds[slot]:bounds[slot + 1]])
        return index

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, **self.to_arrays())  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerprintIndex:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as stored:
                return cls.from_arrays({name: stored[name] for name in stored.files})
        except (ValueError, KeyError, OSError) as error:
            raise InvalidInput(f"not a fingerprint index: {error}") from error

    def add_many(self, tracks: Iterable[tuple[str, Fingerprint]]) -> None:
        """Add tracks; they are sorted once, together, at the next merge."""
        for track_id, fingerprint in tracks:
            self.add(track_id, fingerprint)

    def _merge(self) -> None:
        """Fold pending tracks into the sorted arrays: the pending entries are sorted alone,
        then merged into the sorted ones in one linear pass.

        The order is that of a stable sort of the sorted entries followed by the pending
        ones, as before, when everything was sorted again: that took 52 s of a 200-hour
        cold start, now 18 s (``bench/fingerprint_store.py``); see ``_sorted_entries``.
        """
        if not self._pending:
            return
        hashes, slots, frames = _sorted_entries(self._pending)
        self._pending = []
        self._directory = None
        if not len(self._hashes):
            self._hashes, self._slots, self._frames = hashes, slots, frames
            return
        # equal hashes: the sorted entries first (side="right"), as a stable sort keeps them
        into = np.searchsorted(self._hashes, hashes, side="right") + np.arange(len(hashes))
        total = len(self._hashes) + len(hashes)
        kept = np.ones(total, dtype=bool)
        kept[into] = False
        self._hashes = _interleaved(self._hashes, hashes, into, kept)
        self._slots = _interleaved(self._slots, slots, into, kept)
        self._frames = _interleaved(self._frames, frames, into, kept)


def _interleaved(old: np.ndarray, added: np.ndarray, into: np.ndarray,
                 kept: np.ndarray) -> np.ndarray:
    """``added`` at the positions ``into``, ``old`` in order at the others (``kept``)."""
    out = np.empty(len(kept), dtype=old.dtype)
    out[into] = added
    out[kept] = old
    return out


def _sorted_entries(pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pending entries by hash, ties in the order they were added (a stable sort).

    Each entry's hash and position are packed in one uint64 and sorted as numbers: the keys
    are distinct, so any sort gives the stable order, and numpy sorts 64-bit integers with
    SIMD (x86-simd-sort), where a stable argsort of the hashes is a timsort: 1.0 s against
    3.7 s for 15.7 million entries (50 hours) on this project's VM.
    """
    hashes = np.concatenate([p[0] for p in pending])
    slots = np.concatenate([p[1] for p in pending])
    frames = np.concatenate([p[2] for p in pending])
    if len(hashes) >= 1 << 32:  # positions no longer fit beside the hash
        order = np.argsort(hashes, kind="stable")
        return hashes[order], slots[order], frames[order]
    keys = hashes.astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= np.arange(len(hashes), dtype=np.uint64)
    keys.sort()
    order = (keys & np.uint64(0xFFFF_FFFF)).astype(np.intp)
    keys >>= np.uint64(32)
    return keys.astype(np.uint32), slots[order], frames[order]


def _budget_cut(counts: np.ndarray, budget: int) -> int:
    """The smallest posting count to drop so that the keys below it fit in ``budget``."""
    ordered = np.sort(counts)
    within = int(np.searchsorted(np.cumsum(ordered), budget, side="right"))
    return int(ordered[min(within, len(ordered) - 1)])


class _Directory:
    """The distinct hashes of sorted entries and where each one's run of entries starts."""

    def __init__(self, hashes: np.ndarray) -> None:
        first = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1]))) if len(
            hashes) else np.zeros(0, dtype=np.intp)
        self.distinct = hashes[first]
        self.starts = np.append(first, len(hashes)).astype(np.int64)

    def ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.distinct):
            nothing = np.zeros(len(keys), dtype=np.int64)
            return nothing, nothing
        at = np.minimum(np.searchsorted(self.distinct, keys), len(self.distinct) - 1)
        found = self.distinct[at] == keys
        return np.where(found, self.starts[at], 0), np.where(found, self.starts[at + 1], 0)
