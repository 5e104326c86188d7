"""Searching and paging tracks in the database: matches by title, owner's name and ISRC, and
totals counted by SQL whatever the window."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from consentry.consent import Share
from consentry.services.track_removals import remove_track
from consentry.store import catalogue, parties
from consentry.store.paging import Page, Window, count_rows, page_of
from consentry.store.track_search import TrackSearch, normalise_isrc, search_tracks


def test_an_isrc_is_normalised_as_stored() -> None:
    assert normalise_isrc(" gb-aye-24-00001 ") == "GBAYE2400001"


def test_search_by_title_artist_and_isrc(engine: Engine) -> None:
    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada Lovelace").id
        bo = parties.create_artist(conn, "Bo 100% Real").id
        waltz = catalogue.create_track(conn, "Midnight Waltz", ada, isrc="GBAYE2400001").id
        duet = catalogue.create_track(
            conn, "Morning", ada, [Share(ada, 5000), Share(bo, 5000)], accepted=(ada, bo)
        ).id
        other = catalogue.create_track(conn, "Under_score", bo).id
        removed = catalogue.create_track(conn, "Midnight Removed", ada).id
        remove_track(conn, removed, "test")

    def found(**search: object) -> list[int]:
        with engine.connect() as conn:
            page = search_tracks(conn, TrackSearch(**search), Window(10, 0))  # type: ignore[arg-type]
        assert page.total == len(page.items)
        return [t.id for t in page.items]

    assert found(text="midnight") == [waltz]  # any case; a removed track is never found
    assert found(text="LOVELACE") == [waltz, duet]
    assert found(text="100%") == [duet, other]  # co-owner's name; % is a character
    assert found(text="_") == [other]
    assert found(text="Ada", artist_id=bo) == [duet]
    assert found(isrc="gb-aye-24-00001") == [waltz]
    assert found(isrc="GBAYE2400002") == []
    assert found(text="waltz", isrc="GBAYE2400001") == [waltz]


def test_a_window_keeps_the_whole_count(engine: Engine) -> None:
    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada").id
        ids = [catalogue.create_track(conn, f"Song {n}", ada).id for n in range(7)]
    with engine.connect() as conn:
        page = search_tracks(conn, TrackSearch(artist_id=ada), Window(3, 3))
        assert [t.id for t in page.items] == ids[3:6] and page.total == 7
        assert (page.previous_offset, page.next_offset, page.last_offset) == (0, 6, 6)
        assert (page.first_number, page.last_number) == (4, 6)
        assert count_rows(conn, TrackSearch(artist_id=ada).query()) == 7


def test_a_computed_list_pages_in_memory() -> None:
    page: Page[int] = page_of(list(range(5)), Window(2, 4))
    assert page.items == [4] and page.total == 5 and page.next_offset is None
    assert page.previous_offset == 2 and page_of([], Window()).first_number == 0
