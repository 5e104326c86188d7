"""The pool's arithmetic: exact sums, no negative part, every part within one unit of its
exact share, co-owner splits exact, the same inputs give the same statement."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.errors import InvalidInput
from consentry.usage import MAX_POOL, TrackUse, distribute, largest_remainder
from consentry.usage.compensation_columns import distribute_columns

weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=40).filter(lambda w: sum(w) > 0)
pools = st.integers(0, MAX_POOL)


@st.composite
def owners(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """Up to five distinct artists whose basis points make 10,000."""
    artists = draw(st.lists(st.integers(1, 50), min_size=1, max_size=5, unique=True))
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=len(artists) - 1,
                                max_size=len(artists) - 1, unique=True)))
    bounds = [0, *cuts, 10_000]
    return tuple((a, bounds[i + 1] - bounds[i]) for i, a in enumerate(artists))


@st.composite
def track_uses(draw: st.DrawFn) -> list[TrackUse]:
    ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=30, unique=True))
    return [TrackUse(t, draw(st.integers(0, 1000)), draw(owners()),
                     draw(st.none() | st.integers(1, 4))) for t in ids]


@given(pools, weights)
def test_largest_remainder_sums_exactly_and_stays_within_one_unit(
        total: int, ws: list[int]) -> None:
    parts = largest_remainder(total, ws)
    assert sum(parts) == total
    for part, w in zip(parts, ws, strict=True):
        exact = Fraction(total * w, sum(ws))
        assert part >= 0 and abs(part - exact) < 1
        if w == 0:
            assert part == 0


@given(pools, weights)
def test_largest_remainder_favours_larger_weights(total: int, ws: list[int]) -> None:
    """Monotone: a larger weight never gets less than a smaller one."""
    parts = largest_remainder(total, ws)
    for i in range(len(ws)):
        for j in range(len(ws)):
            if ws[i] > ws[j]:
                assert parts[i] >= parts[j]


@pytest.mark.slow
@settings(max_examples=300)
@given(pools, track_uses())
def test_the_parts_of_a_pool_sum_to_it_and_are_proportional(
        pool: int, uses: list[TrackUse]) -> None:
    result = distribute(pool, uses)
    units = sum(u.units for u in uses)
    if units == 0:
        assert result.tracks == () and result.undistributed == pool
        return
    assert result.undistributed == 0
    assert sum(t.amount for t in result.tracks) == pool
    assert sum(p.amount for p in result.owners) == pool
    assert sum(result.artist_totals().values()) == pool
    by_id = {u.track_id: u for u in uses}
    for track in result.tracks:
        assert track.amount >= 0
        assert abs(track.amount - Fraction(pool * by_id[track.track_id].units, units)) < 1
        parts = [p for p in result.owners if p.track_id == track.track_id]
        # the co-owner split is exact: it adds up to the track's amount, each within a unit
        assert sum(p.amount for p in parts) == track.amount
        assert {(p.artist_id, p.basis_points) for p in parts} == set(
            by_id[track.track_id].owners)
        for p in parts:
            assert p.amount >= 0
            assert abs(p.amount - Fraction(track.amount * p.basis_points, 10_000)) < 1
    holders = result.rights_holder_totals()
    for holder, total in holders.items():
        assert total == sum(t.amount for t in result.tracks if t.rights_holder_id == holder)


@given(pools, track_uses())
def test_the_same_uses_in_any_order_give_the_same_statement(
        pool: int, uses: list[TrackUse]) -> None:
    assert distribute(pool, uses) == distribute(pool, list(reversed(uses)))


def test_ties_go_to_the_lower_id() -> None:
    sole = ((1, 10_000),)
    result = distribute(2, [TrackUse(3, 1, sole), TrackUse(1, 1, sole), TrackUse(2, 1, sole)])
    assert [(t.track_id, t.amount) for t in result.tracks] == [(1, 1), (2, 1), (3, 0)]
    duet = distribute(1, [TrackUse(7, 1, ((9, 5000), (4, 5000)))])
    assert [(p.artist_id, p.amount) for p in duet.owners] == [(4, 1), (9, 0)]


def test_a_worked_example() -> None:
    """The example of docs/usage.md: 1,000.00 EUR over three tracks and four units."""
    result = distribute(100_000, [
        TrackUse(1, 2, ((10, 10_000),)),
        TrackUse(2, 1, ((10, 6_000), (11, 4_000)), rights_holder_id=5),
        TrackUse(3, 1, ((11, 3_333), (12, 3_333), (13, 3_334)), rights_holder_id=5),
    ])
    assert [t.amount for t in result.tracks] == [50_000, 25_000, 25_000]
    assert [(p.artist_id, p.amount) for p in result.owners] == [
        (10, 50_000), (10, 15_000), (11, 10_000), (11, 8_333), (12, 8_332), (13, 8_335)]
    assert result.artist_totals() == {10: 65_000, 11: 18_333, 12: 8_332, 13: 8_335}
    assert result.rights_holder_totals() == {5: 50_000}


def test_a_period_without_uses_distributes_nothing() -> None:
    result = distribute(500, [TrackUse(1, 0, ((1, 10_000),))])
    assert result.tracks == () and result.undistributed == 500


@pytest.mark.parametrize("bad", [
    lambda: largest_remainder(-1, [1]),
    lambda: largest_remainder(5, [0, 0]),
    lambda: largest_remainder(5, [1, -1]),
    lambda: TrackUse(1, 1, ((1, 5_000),)),
    lambda: TrackUse(1, 1, ((1, 5_000), (1, 5_000))),
    lambda: TrackUse(1, -1, ((1, 10_000),)),
    lambda: distribute(5, [TrackUse(1, 1, ((1, 10_000),)), TrackUse(1, 2, ((1, 10_000),))]),
])
def test_impossible_inputs_are_refused(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        bad()


def _columns(uses: list[TrackUse]) -> tuple[list[int], ...]:
    owners = [(u.track_id, a, bp) for u in uses for a, bp in u.owners]
    return ([u.track_id for u in uses], [u.units for u in uses],
            [u.rights_holder_id or 0 for u in uses], [o[0] for o in owners],
            [o[1] for o in owners], [o[2] for o in owners])


@pytest.mark.slow
@settings(max_examples=300)
@given(pools, track_uses())
def test_the_columns_give_the_same_statement_as_the_reference(
        pool: int, uses: list[TrackUse]) -> None:
    """One rule, two paths: a track at a time in Python, and whole columns in numpy."""
    assert distribute_columns(pool, *_columns(uses)) == distribute(pool, uses)


@given(st.integers(0, 10**6), st.lists(st.integers(1, 3), min_size=1, max_size=300))
def test_the_columns_agree_with_many_ties(pool: int, units: list[int]) -> None:
    """Many equal remainders: the tie-breaks (lower track id, lower artist id) decide."""
    uses = [TrackUse(i + 1, n, ((7, 5_000), (3, 2_500), (5, 2_500))) for i, n in
            enumerate(units)]
    assert distribute_columns(pool, *_columns(uses)) == distribute(pool, uses)


def test_huge_unit_counts_fall_back_to_python_integers() -> None:
    uses = [TrackUse(1, 3 * 10**9, ((1, 10_000),)), TrackUse(2, 2 * 10**9, ((2, 10_000),))]
    assert distribute_columns(10**15, *_columns(uses)) == distribute(10**15, uses)


@pytest.mark.parametrize("columns", [
    ([1], [1], [0], [1], [1], [5_000]),
    ([1], [1], [0], [1, 1], [1, 1], [5_000, 5_000]),
    ([1, 1], [1, 1], [0, 0], [1], [1], [10_000]),
    ([1], [-1], [0], [1], [1], [10_000]),
    ([1], [1], [0], [1, 1], [1, 2], [10_000, 0]),
])
def test_impossible_columns_are_refused(columns: tuple[list[int], ...]) -> None:
    with pytest.raises(InvalidInput):
        distribute_columns(5, *columns)  # type: ignore[arg-type]
