"""A witness's own directory: its Ed25519 key, its name and the logs it trusts, and the latest
checkpoint it cosigned for each. Kept apart from the log's database on purpose: a witness is
only worth something if whoever can rewrite the log cannot rewrite the witness too.

The check of a request and the update of the state happen under one lock (a thread lock and
an ``flock`` on the directory's lock file), as tlog-witness asks, so two racing requests can
never roll the witness back.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.errors import InvalidInput
from consentry.ledger.checkpoint import Checkpoint
from consentry.ledger.cosignature import cosign, cosigner_vkey
from consentry.ledger.note import decode_base64, encode_base64, parse_vkey
from consentry.ledger.operator_key import ensure_development_key, load_operator_key
from consentry.ledger.witness import AddCheckpoint, accept_checkpoint

KEY_FILE = "witness-ed25519.pem"
CONFIG_FILE = "witness.json"
STATE_FILE = "checkpoints.json"
LOCK_FILE = "lock"
STATE_VARIABLE = "CONSENTRY_WITNESS_STATE"  # how 'witness serve' tells its server process
_thread_lock = threading.Lock()


@dataclass(frozen=True)
class WitnessConfig:
    name: str
    logs: tuple[str, ...]  # the verifier keys of the logs it cosigns

    def trusted(self) -> dict[str, Ed25519PublicKey]:
        return dict(parse_vkey(key) for key in self.logs)


def init_witness(directory: Path, name: str | None, logs: list[str]) -> tuple[str, WitnessConfig]:
    """Make the witness's key (once, never overwritten) and add ``logs`` to those it trusts;
    returns its verifier key and configuration."""
    for log_key in logs:
        parse_vkey(log_key)
    directory.mkdir(parents=True, exist_ok=True)
    config = read_config(directory) if (directory / CONFIG_FILE).exists() else None
    if config is None and not name:
        raise InvalidInput("a new witness needs a name (--name), e.g. witness.example/w1")
    if config is not None and name and name != config.name:
        raise InvalidInput(
            f"the witness in {directory} is called {config.name!r}; its name "
            "is part of its key id and cannot change"
        )
    config = WitnessConfig(
        config.name if config else str(name),
        tuple(dict.fromkeys([*(config.logs if config else ()), *logs])),
    )
    key = ensure_development_key(directory / KEY_FILE)
    public = cosigner_vkey(config.name, key.public_key())
    _write_json(directory / CONFIG_FILE, {"name": config.name, "logs": list(config.logs)})
    return public, config


def read_config(directory: Path) -> WitnessConfig:
    try:
        data = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        return WitnessConfig(str(data["name"]), tuple(str(k) for k in data["logs"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InvalidInput(
            f"no witness in {directory} ({error}): run 'consentry witness init'"
        ) from error


def witness_key(directory: Path) -> Ed25519PrivateKey:
    return load_operator_key(directory / KEY_FILE)


def latest_checkpoints(directory: Path) -> dict[str, Checkpoint]:
    path = directory / STATE_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for origin, held in data.items():
        root = decode_base64(held["root"])
        if root is None:
            raise InvalidInput(f"{path}: the root held for {origin!r} is not base64")
        found[origin] = Checkpoint(origin, int(held["size"]), root)
    return found


def add_checkpoint(directory: Path, request: AddCheckpoint) -> str:
    """Check ``request`` against the stored state, persist the new checkpoint and return the
    cosignature line; a ``WitnessRefusal`` leaves the state as it was."""
    config = read_config(directory)
    key = witness_key(directory)
    with _locked(directory):
        held = latest_checkpoints(directory)
        origin = request.note.split("\n", 1)[0]
        accepted = accept_checkpoint(request, config.trusted(), held.get(origin))
        held[accepted.origin] = accepted
        _write_json(
            directory / STATE_FILE,
            {c.origin: {"size": c.size, "root": encode_base64(c.root)} for c in held.values()},
        )
    return cosign(accepted.body(), config.name, key, int(time.time()))


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with _thread_lock, open(directory / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_json(path: Path, data: object) -> None:
    """Replace ``path`` whole and durably: a crash leaves the old state or the new one."""
    partial = path.with_suffix(".part")
    with open(partial, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, sort_keys=True)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
