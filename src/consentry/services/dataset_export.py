"""Materialising a dataset snapshot: the recordings it names, each as the copy that carries its
rights, with one metadata file per sample, as a directory or as WebDataset-style tar shards.

What is written is what may be delivered now: a track whose consent was withdrawn since the
snapshot is left out and listed, and the manifest file must still hash to what was signed.
Interrupted runs resume: finished samples and shards are kept, never written twice.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy.engine import Engine

from consentry.consent import Track
from consentry.datasets.shards import Shard, plan_shards, sample_key
from consentry.errors import ConsentryError, InvalidInput, LogVerificationError
from consentry.services.decisions import decide_all
from consentry.services.delivered_audio import copy_with_rights_now
from consentry.signals.signing_keys import SigningCredentials
from consentry.store import parties
from consentry.store.catalogue import TrackAudio, get_tracks, tracks_audio
from consentry.store.datasets import Snapshot, get_snapshot_by_id, manifest_path
from consentry.store.media import audio_path
from consentry.timestamps import utcnow

DESCRIPTION_FILE = "SNAPSHOT.json"
DEFAULT_SHARD_BYTES = 1 << 30


class Layout(StrEnum):
    DIRECTORY = "directory"
    WEBDATASET = "webdataset"


@dataclass
class Materialised:
    """What a materialisation wrote, and what it left out and why."""

    snapshot: Snapshot
    layout: Layout
    out_dir: Path
    samples: int = 0
    bytes_written: int = 0
    kept_from_before: int = 0  # samples or shards an earlier, interrupted run had finished
    withdrawn: list[int] = field(default_factory=list)
    unavailable: dict[int, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


Progress = Callable[[int], None]  # called with the number of samples just finished


@dataclass(frozen=True)
class _Sample:
    track: Track
    audio: TrackAudio
    row: dict[str, Any]


def materialise(engine: Engine, data_dir: Path, snapshot_id: int, out_dir: Path,
                layout: Layout, base_url: str, signer: SigningCredentials | None,
                shard_bytes: int = DEFAULT_SHARD_BYTES,
                progress: Progress | None = None,
                on_plan: Callable[[int], None] | None = None) -> Materialised:
    """Write the snapshot's deliverable samples under ``out_dir``; ``on_plan`` hears how many
    samples there will be before the first is written."""
    snapshot = get_snapshot_by_id(engine, snapshot_id)
    rows = _manifest_rows(data_dir, snapshot)
    _claim(out_dir, snapshot, layout, shard_bytes)
    result = Materialised(snapshot, layout, out_dir)
    samples = _deliverable(engine, data_dir, snapshot, rows, result)
    if on_plan:
        on_plan(len(samples))
    tick = progress or (lambda _n: None)
    with engine.connect() as conn:
        def write(sample: _Sample) -> tuple[str, bytes, bytes]:
            path, _key, decisions = copy_with_rights_now(
                conn, data_dir, sample.track, sample.audio,
                f"{base_url}/tracks/{sample.track.id}", signer)
            data = path.read_bytes()
            names = [parties.get_artist(conn, a).name for a in sample.track.accepted_owner_ids]
            return (sample.audio.format, data,
                    _metadata(snapshot, sample, names, decisions, data, base_url))

        if layout is Layout.DIRECTORY:
            _write_directory(out_dir, samples, write, result, tick)
        else:
            _write_shards(out_dir, samples, write, result, tick, shard_bytes)
    shutil.copyfile(manifest_path(data_dir, snapshot.id), out_dir / "manifest.parquet")
    _write_atomically(out_dir / DESCRIPTION_FILE, _description(result))
    return result


def _manifest_rows(data_dir: Path, snapshot: Snapshot) -> list[dict[str, Any]]:
    """The manifest's rows, once its bytes are shown to be the ones that were signed."""
    path = manifest_path(data_dir, snapshot.id)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConsentryError(f"the manifest of snapshot {snapshot.id} is missing ({path})") \
            from None
    if hashlib.sha256(data).hexdigest() != snapshot.manifest_sha256:
        raise LogVerificationError(
            f"the manifest of snapshot {snapshot.id} no longer hashes to the signed "
            f"{snapshot.manifest_sha256}: it was altered; nothing was written")
    rows: list[dict[str, Any]] = pq.read_table(io.BytesIO(data)).to_pylist()
    return rows


def _claim(out_dir: Path, snapshot: Snapshot, layout: Layout, shard_bytes: int) -> None:
    """An empty or missing directory, or one that a run with the same snapshot, layout and
    shard size began: the only kind a resumed run may add to."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInput(f"{out_dir} exists and is not a directory")
    marker = out_dir / ".consentry-materialisation"
    plan = f"snapshot {snapshot.id} {layout.value}" + (
        f" {shard_bytes}" if layout is Layout.WEBDATASET else "")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        began = marker.read_text().strip() if marker.exists() else None
        if began != plan:
            raise InvalidInput(
                f"{out_dir} is not empty and no run of '{plan}' began there; choose an empty "
                "directory, or resume with the same options",
                {"directory": str(out_dir), "found": began, "asked": plan})
    out_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{plan}\n")


def _deliverable(engine: Engine, data_dir: Path, snapshot: Snapshot,
                 rows: list[dict[str, Any]], result: Materialised) -> list[_Sample]:
    """The manifest's tracks that consent still allows and whose recording is the one named."""
    with engine.connect() as conn:
        consumer = parties.get_consumer(conn, snapshot.consumer_id) \
            if snapshot.consumer_id else None
        ids = [int(r["track_id"]) for r in rows]
        tracks = {t.id: t for t in get_tracks(conn, ids)}
        audio = tracks_audio(conn, ids)
    # Asked as when the snapshot was taken: consent alone, the snapshot's own tracks aside.
    now = decide_all(engine, snapshot.purpose, utcnow(),
                     replace(consumer, datasets_only=False) if consumer else None)
    allowed_now = set(now.track_id[now.allowed].tolist())
    samples = []
    for row in rows:
        track_id = int(row["track_id"])
        recording = audio.get(track_id)
        if track_id not in allowed_now:
            result.withdrawn.append(track_id)
        elif recording is None:
            result.unavailable[track_id] = "the track has no recording"
        elif recording.sha256 != row["content_sha256"]:
            result.unavailable[track_id] = "its recording was replaced after the snapshot"
        elif not audio_path(data_dir, recording.sha256).exists():
            result.unavailable[track_id] = "its recording is missing from storage"
        else:
            samples.append(_Sample(tracks[track_id], recording, row))
    return samples


Writer = Callable[[_Sample], tuple[str, bytes, bytes]]


def _write_directory(out_dir: Path, samples: list[_Sample], write: Writer,
                     result: Materialised, tick: Progress) -> None:
    """``samples/<key>.<format>`` and ``samples/<key>.json``; the JSON is written last, so a
    sample with its JSON is complete."""
    folder = out_dir / "samples"
    folder.mkdir(exist_ok=True)
    for track_id in [*result.withdrawn, *result.unavailable]:  # written by an earlier run
        for stale in folder.glob(f"{sample_key(track_id)}.*"):
            stale.unlink()
    for sample in samples:
        key = sample_key(sample.track.id)
        described = folder / f"{key}.json"
        if described.exists():
            result.kept_from_before += 1
        else:
            extension, data, metadata = write(sample)
            _write_atomically(folder / f"{key}.{extension}", data)
            _write_atomically(described, metadata)
            result.bytes_written += len(data) + len(metadata)
        result.samples += 1
        result.files.append(described)
        tick(1)


def _write_shards(out_dir: Path, samples: list[_Sample], write: Writer, result: Materialised,
                  tick: Progress, shard_bytes: int) -> None:
    """Tar shards of about ``shard_bytes`` in track order, each renamed into place whole."""
    by_id = {s.track.id: s for s in samples}
    plan = plan_shards([(s.track.id, s.audio.size) for s in samples], shard_bytes)
    mtime = int(result.snapshot.created_at.timestamp())
    for stale in set(out_dir.glob("shard-*.tar")) - {out_dir / shard.name for shard in plan}:
        stale.unlink()  # the plan shrank: a track was withdrawn since an earlier run
    for shard in plan:
        path = out_dir / shard.name
        if path.exists() and _holds(path, shard):
            result.kept_from_before += 1
        else:
            result.bytes_written += _write_shard(path, shard, by_id, write, mtime)
        result.samples += len(shard.track_ids)
        result.files.append(path)
        tick(len(shard.track_ids))


def _holds(path: Path, shard: Shard) -> bool:
    """Whether a shard an earlier run finished holds exactly the samples planned for it now
    (reading the tar's headers only)."""
    try:
        with tarfile.open(path) as tar:
            keys = {name.rsplit(".", 1)[0] for name in tar.getnames()}
    except (tarfile.TarError, OSError):
        return False
    return keys == {sample_key(t) for t in shard.track_ids}


def _write_shard(path: Path, shard: Shard, by_id: dict[int, _Sample], write: Writer,
                 mtime: int) -> int:
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with tarfile.open(partial, "w", format=tarfile.USTAR_FORMAT) as tar:
            for track_id in shard.track_ids:
                extension, data, metadata = write(by_id[track_id])
                key = sample_key(track_id)
                for name, content in ((f"{key}.{extension}", data), (f"{key}.json", metadata)):
                    info = tarfile.TarInfo(name)
                    info.size, info.mtime, info.mode = len(content), mtime, 0o644
                    tar.addfile(info, io.BytesIO(content))
        _sync_and_place(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def _metadata(snapshot: Snapshot, sample: _Sample, artists: list[str],
              decisions: dict[str, bool], data: bytes, base_url: str) -> bytes:
    row = sample.row
    return json.dumps({
        "track_id": sample.track.id,
        "title": sample.track.title,
        "artists": artists,
        "content_sha256": row["content_sha256"],
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "format": sample.audio.format,
        "duration_ms": sample.audio.duration_ms,
        "rights_holder_id": row["rights_holder_id"],
        "owners": row["owners"],
        "consent_event_ids": row["consent_event_ids"],
        "terms_version": row["terms_version"],
        "snapshot_id": snapshot.id,
        "purpose": snapshot.purpose,
        "allowed_purposes_now": sorted(p for p, ok in decisions.items() if ok),
        "page": f"{base_url}/tracks/{sample.track.id}",
    }, indent=1, sort_keys=True).encode()


def _description(result: Materialised) -> bytes:
    s = result.snapshot
    return json.dumps({
        "snapshot_id": s.id, "purpose": s.purpose, "consumer_id": s.consumer_id,
        "at": s.at.isoformat(), "manifest_sha256": s.manifest_sha256,
        "statement": s.statement, "layout": result.layout.value,
        "materialised_at": utcnow().isoformat(), "samples": result.samples,
        "files": sorted(p.relative_to(result.out_dir).as_posix() for p in result.files),
        "left_out": {
            "withdrawn_since_snapshot": result.withdrawn,
            "unavailable": {str(k): v for k, v in sorted(result.unavailable.items())}},
    }, indent=1).encode()


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        partial.write_bytes(data)
        _sync_and_place(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _sync_and_place(partial: Path, path: Path) -> None:
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, path)

