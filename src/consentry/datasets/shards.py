"""How a materialised snapshot is laid out: one sample per track, named by its track, and,
for WebDataset-style tar shards, which samples go into which shard.

The plan depends only on the manifest and the recordings' stored sizes, so running the same
materialisation again after an interruption gives the same shards, and finished shards can be
kept rather than written twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from consentry.errors import InvalidInput

TAR_BLOCK = 512
MIN_SHARD_BYTES = 10**6  # smaller shards would mean thousands of files for no gain
# The rights embedded in a delivered copy (tags, signed manifest) add a few KiB to a recording.
EMBEDDING_ALLOWANCE = 64 << 10


def sample_key(track_id: int) -> str:
    """The name every file of one sample shares: WebDataset groups members by it. Zero-padded
    so that names sort in track order."""
    return f"track-{track_id:010d}"


def shard_name(index: int) -> str:
    return f"shard-{index:06d}.tar"


@dataclass(frozen=True)
class Shard:
    index: int
    track_ids: tuple[int, ...]
    planned_bytes: int

    @property
    def name(self) -> str:
        return shard_name(self.index)


def tar_member_bytes(size: int) -> int:
    """What one file takes in a tar: a header block and its data rounded up to whole blocks."""
    return TAR_BLOCK + -(-size // TAR_BLOCK) * TAR_BLOCK


def plan_shards(samples: Sequence[tuple[int, int]], shard_bytes: int) -> list[Shard]:
    """Group ``(track_id, recording bytes)`` samples, in order, into shards of about
    ``shard_bytes``; a sample larger than that gets a shard of its own rather than being split."""
    if shard_bytes < MIN_SHARD_BYTES:
        raise InvalidInput(f"shards must be at least 1MB ({MIN_SHARD_BYTES:,} bytes)")
    shards: list[Shard] = []
    current: list[int] = []
    size = 0
    for track_id, recording_bytes in samples:
        sample = (tar_member_bytes(recording_bytes + EMBEDDING_ALLOWANCE)
                  + tar_member_bytes(4096))  # the sample's metadata JSON
        if current and size + sample > shard_bytes:
            shards.append(Shard(len(shards), tuple(current), size))
            current, size = [], 0
        current.append(track_id)
        size += sample
    if current:
        shards.append(Shard(len(shards), tuple(current), size))
    return shards


def parse_size(text: str) -> int:
    """``500MB``, ``1GiB``, ``2000000``: a shard size as a user writes it."""
    units = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9,
             "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}
    cleaned = text.strip().upper().replace(" ", "")
    number = cleaned.rstrip("KMGIB")
    unit = cleaned[len(number):]
    try:
        value = float(number)
    except ValueError:
        raise InvalidInput(f"not a size: {text!r} (e.g. 500MB, 1GiB)") from None
    if unit not in units or value <= 0:
        raise InvalidInput(f"not a size: {text!r} (e.g. 500MB, 1GiB)")
    return int(value * units[unit])
