"""Registering a rights holder's reference recordings in bulk, fingerprinted in parallel.

The parent hashes each file (cheap) and skips those whose content is already registered for
the holder, so a run that was interrupted picks up where it stopped; worker processes decode
and fingerprint the rest; results are committed in batches, so an interruption loses at most
one batch of work and never leaves half a recording.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from consentry.errors import ConsentryError, InvalidInput
from consentry.services.worker_lifetime import die_with_parent
from consentry.store.fingerprints import decode_fingerprint, encode_fingerprint
from consentry.store.parties import get_rights_holder
from consentry.store.reference_recordings import add_reference, known_hashes

_ISRC_IN_NAME = re.compile(r"(?<![A-Z0-9])([A-Z]{2}[A-Z0-9]{3}[0-9]{7})(?![A-Z0-9])")
_HASH_CHUNK = 1 << 20


@dataclass
class IngestReport:
    """What a run did: recordings added, files skipped (already there), files that failed."""

    added: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    seconds_of_audio: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"added": self.added, "skipped": self.skipped,
                "failed": [{"file": f, "reason": r} for f, r in self.failed],
                "seconds_of_audio": round(self.seconds_of_audio, 1)}


@dataclass(frozen=True)
class _Fingerprinted:
    path: str
    sha256: str
    blob: bytes | None
    error: str | None


def audio_files(directory: Path) -> list[Path]:
    """Every visible file under ``directory``, in a stable order."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory")
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and not any(part.startswith(".")
                                             for part in p.relative_to(directory).parts))


def title_and_isrc(path: Path) -> tuple[str, str | None]:
    """The file's name is its title; an ISRC in the name (``GBAYE2400001 Title.flac``) is kept."""
    found = _ISRC_IN_NAME.search(path.stem.upper())
    isrc = found.group(1) if found else None
    title = path.stem
    if found:
        title = (path.stem[:found.start()] + path.stem[found.end():]).strip(" -_.") or path.stem
    return title, isrc


def ingest_references(
    engine: Engine, directory: Path, rights_holder_id: int, *, workers: int = 2,
    batch: int = 50, max_seconds: float = 3 * 3600,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> IngestReport:
    """Register every new recording under ``directory`` for the rights holder."""
    with engine.connect() as conn:
        get_rights_holder(conn, rights_holder_id)
        known = known_hashes(conn, rights_holder_id)
    files = audio_files(directory)
    report = IngestReport()
    pending: list[tuple[Path, str]] = []
    for path in files:
        try:
            sha256 = _sha256(path)
        except OSError as error:
            report.failed.append((str(path), f"cannot read: {error.strerror or error}"))
            continue
        if sha256 in known:
            report.skipped += 1
        else:
            known.add(sha256)  # a second copy in the same run is skipped too
            pending.append((path, sha256))
    done = len(files) - len(pending)
    progress(done, len(files))
    results: list[_Fingerprinted] = []
    for result in _fingerprint_all(pending, workers, max_seconds):
        done += 1
        if result.error is not None:
            report.failed.append((result.path, result.error))
        else:
            results.append(result)
        if len(results) >= batch:
            _commit(engine, rights_holder_id, results, report)
        progress(done, len(files))
    _commit(engine, rights_holder_id, results, report)
    return report


def fingerprint_for_ingest(path: str, sha256: str, max_seconds: float) -> _Fingerprinted:
    """In a worker process: the file's fingerprint as a blob, or why it has none."""
    from consentry.audio.fingerprint import fingerprint_file

    try:
        fingerprint = fingerprint_file(Path(path), max_seconds)
    except ConsentryError as error:
        return _Fingerprinted(path, sha256, None, error.message)
    except Exception as error:  # a worker reports any failure; one bad file stops nothing
        return _Fingerprinted(path, sha256, None, f"{type(error).__name__}: {error}")
    if not len(fingerprint.landmarks):
        return _Fingerprinted(path, sha256, None, "no fingerprint: silent or too short")
    return _Fingerprinted(path, sha256, encode_fingerprint(fingerprint), None)


def _fingerprint_all(pending: list[tuple[Path, str]], workers: int,
                     max_seconds: float) -> Iterator[_Fingerprinted]:
    """Results as workers finish them, with a bounded number of files in flight."""
    if not pending:
        return
    # spawn, not fork: the parent may run threads (the progress bar) that fork would copy
    # mid-lock into the children
    context = multiprocessing.get_context("spawn")
    queue = iter(pending)
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context,
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        running: set[Future[_Fingerprinted]] = set()
        for path, sha256 in queue:
            running.add(pool.submit(fingerprint_for_ingest, str(path), sha256, max_seconds))
            if len(running) >= 4 * max(1, workers):
                break
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
                following = next(queue, None)
                if following is not None:
                    running.add(pool.submit(fingerprint_for_ingest, str(following[0]),
                                            following[1], max_seconds))


def _commit(engine: Engine, rights_holder_id: int, results: list[_Fingerprinted],
            report: IngestReport) -> None:
    if not results:
        return
    with engine.begin() as conn:
        for result in results:
            assert result.blob is not None
            fingerprint = decode_fingerprint(result.blob)
            title, isrc = title_and_isrc(Path(result.path))
            add_reference(conn, rights_holder_id, title, result.sha256, fingerprint, isrc)
            report.seconds_of_audio += fingerprint.seconds
    report.added += len(results)
    results.clear()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
