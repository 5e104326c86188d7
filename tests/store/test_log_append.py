"""The fast append (driver-level executemany, the batch's own leaves folded from memory) stores
exactly what the plain definition of the tree says, for any sequence of batch sizes (issue 21)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine

from consentry.ledger.merkle import leaf_hash, root_hash
from consentry.ledger.records import LogRecord
from consentry.ledger.tiles import TILE_HEIGHT
from consentry.store import transparency_log as log
from consentry.store.schema import log_entries, log_subtrees

BATCHES = st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=5)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=BATCHES, payload=st.binary(min_size=0, max_size=40))
def test_appended_batches_store_the_tree_the_definition_gives(
        engine: Engine, batches: list[int], payload: bytes) -> None:
    for size in batches:
        with engine.begin() as conn:
            first = log.log_size(conn)
            records = [LogRecord("bench", first + i, payload + (first + i).to_bytes(8, "big"))
                       for i in range(size)]
            assert log.append(conn, records) == list(range(first, first + size))
    with engine.connect() as conn:
        rows = conn.execute(select(log_entries).order_by(log_entries.c.idx)).all()
        stored = {(h, i): bytes(v) for h, i, v in conn.execute(select(log_subtrees))}
        size = log.log_size(conn)
        root = log.root_at(conn, size)
    assert [r.idx for r in rows] == list(range(size))
    assert all(bytes(r.leaf_hash) == leaf_hash(bytes(r.data)) for r in rows)
    ours = [r for r in rows if r.kind == "bench"]  # the template may log a few records first
    assert len(ours) >= sum(batches) and all(r.source_id == r.idx for r in ours)
    leaves = [bytes(r.leaf_hash) for r in rows]
    expected = {(h, i): root_hash(leaves[i << h:(i + 1) << h])
                for h in range(TILE_HEIGHT, size.bit_length(), TILE_HEIGHT)
                for i in range(size >> h)}
    assert stored == expected
    assert root == root_hash(leaves)
