"""Claims in the pages: an upload through the form is claimed; the artist sees it on the track,
in their claims and in their permissions, and disputes it; the label confirms or releases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.audio.fingerprint import fingerprint_samples
from consentry.audio.matching import MIN_SIGNIFICANCE
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import accounts, catalogue, parties
from consentry.store.claims import claim_records
from tests.audio.music import piece, with_noise
from tests.web.test_identify_api import wav
from tests.web.test_pages import PASSWORD, csrf
from tests.web.test_staff_pages import log_in

SONG = piece(81, 40.0)


@pytest.mark.slow
def test_a_claim_from_upload_to_review(client: TestClient, engine: Engine) -> None:
    from consentry.store.reference_recordings import add_reference

    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label One")
        other = parties.create_rights_holder(conn, "Label Two")
        add_reference(conn, label.id, "The Label Hit", "a" * 64, fingerprint_samples(SONG))
        artist = parties.create_artist(conn, "Ada")
        track = catalogue.create_track(conn, "My Upload", artist.id)
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
        accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST,
                             artist_id=artist.id)
        accounts.create_user(conn, "staff@one.example", PASSWORD, "Staff", Role.RIGHTS_HOLDER,
                             rights_holder_id=label.id)
        accounts.create_user(conn, "staff@two.example", PASSWORD, "Staff", Role.RIGHTS_HOLDER,
                             rights_holder_id=other.id)
    log_in(client, "ada@example.org")
    token = csrf(client.get(f"/me/tracks/{track.id}").text)
    uploaded = client.post(f"/me/tracks/{track.id}/audio", data={"csrf_token": token},
                           files={"file": ("copy.wav", wav(with_noise(SONG[16_000:], 15.0)),
                                           "audio/wav")})
    assert uploaded.status_code == 200, uploaded.text
    assert "The Label Hit" in uploaded.text and "Label One" in uploaded.text
    with engine.connect() as conn:
        [claim] = claim_records(conn, artist_id=artist.id)
    assert claim.significance is not None and claim.significance >= MIN_SIGNIFICANCE
    mine = client.get("/me/claims").text
    assert "The Label Hit" in mine
    assert f"{claim.significance:.1f} standard deviations above chance" in mine
    permissions = client.get("/me/permissions").text
    assert f"claim {claim.id}" in permissions

    empty = client.post(f"/me/claims/{claim.id}/dispute",
                        data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "say why" in empty.text

    staff = TestClient(client.app)
    log_in(staff, "staff@two.example")
    assert "The Label Hit" not in staff.get("/label/claims").text
    refused = staff.post(f"/label/claims/{claim.id}/release",
                         data={"csrf_token": csrf(staff.get("/label").text)})
    assert refused.status_code == 403
    staff = TestClient(client.app)
    log_in(staff, "staff@one.example")
    assert "Content claims to review: 1 open" in staff.get("/label").text
    review = staff.get("/label/claims")
    assert "My Upload" in review.text
    confirmed = staff.post(f"/label/claims/{claim.id}/confirm",
                           data={"csrf_token": csrf(review.text)})
    assert confirmed.status_code == 200 and "Confirmed" in confirmed.text

    disputed = client.post(f"/me/claims/{claim.id}/dispute",
                           data={"csrf_token": token, "reason": "I wrote and recorded it"},
                           follow_redirects=True)
    assert disputed.status_code == 200 and "I wrote and recorded it" in disputed.text
    with engine.connect() as conn:
        [claim] = claim_records(conn, rights_holder_id=label.id)
    assert [c.status.value for c in claim.claim.changes] == ["open", "confirmed", "disputed"]
    assert claim.claim.changes[1].by.startswith("user:")


def test_label_staff_remove_a_reference_from_its_page(client: TestClient, engine: Engine) -> None:
    from consentry.consent import Identified
    from consentry.store.claims import open_claim
    from consentry.store.reference_recordings import add_reference, list_references

    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label One")
        other = parties.create_rights_holder(conn, "Label Two")
        reference = add_reference(conn, label.id, "The Label Hit", "a" * 64,
                                  fingerprint_samples(SONG))
        artist = parties.create_artist(conn, "Ada")
        track = catalogue.create_track(conn, "My Upload", artist.id)
        found = Identified(f"reference:{reference.id}", "reference", reference.id, "Hit",
                           label.id, (), 2.0, 12.0, 20.0, 0.7, 20.0, 1.0)
        claim = open_claim(conn, track.id, found, "b" * 64, "test")
        accounts.create_user(conn, "staff@one.example", PASSWORD, "Staff", Role.RIGHTS_HOLDER,
                             rights_holder_id=label.id)
        accounts.create_user(conn, "staff@two.example", PASSWORD, "Staff", Role.RIGHTS_HOLDER,
                             rights_holder_id=other.id)
    stranger = TestClient(client.app)
    log_in(stranger, "staff@two.example")
    listed = stranger.get("/label/references")
    assert listed.status_code == 200 and "The Label Hit" not in listed.text
    refused = stranger.post(f"/label/references/{reference.id}/remove",
                            data={"csrf_token": csrf(listed.text)})
    assert refused.status_code == 404

    log_in(client, "staff@one.example")
    assert 'href="/label/references"' in client.get("/label").text
    listed = client.get("/label/references")
    assert "The Label Hit" in listed.text
    assert f'href="/label/references/{reference.id}/remove"' in listed.text
    forged = client.post(f"/label/references/{reference.id}/remove", data={"csrf_token": "x"})
    assert forged.status_code == 403
    # one click only asks: nothing is removed until the confirmation form is sent
    asked = client.post(f"/label/references/{reference.id}/remove",
                        data={"csrf_token": csrf(listed.text)}, follow_redirects=True)
    assert "Remove the reference recording “The Label Hit”?" in asked.text
    with engine.connect() as conn:
        assert len(list_references(conn, label.id)) == 1
    removed = client.post(f"/label/references/{reference.id}/remove",
                          data={"csrf_token": csrf(asked.text), "confirmed": "yes"},
                          follow_redirects=True)
    assert removed.status_code == 200
    assert "The reference recording was removed" in removed.text
    assert "The Label Hit" not in removed.text
    with engine.connect() as conn:
        assert list_references(conn, label.id) == []
        [record] = claim_records(conn, rights_holder_id=label.id)
    assert (record.id, record.status.value) == (claim.id, "released")
    assert record.claim.changes[-1].reason == "reference removed"
    assert record.claim.changes[-1].by.startswith("user:")
    claims_page = client.get("/label/claims").text
    assert "reference removed" in claims_page
    assert f"reference:{reference.id} (removed)" in claims_page


@pytest.mark.slow
def test_an_artist_answers_a_claim_on_her_own_track_in_the_pages(
        client: TestClient, engine: Engine) -> None:
    """Issue 15, scenario 3: Bo's upload holds Ada's own track; the claim is Ada's to answer
    on /me/claims, and Bo sees it on his and may only dispute it."""
    from consentry.consent import Identified
    from consentry.store.claims import open_claim

    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada")
        bo = parties.create_artist(conn, "Bo")
        original = catalogue.create_track(conn, "Original", ada.id)
        copy = catalogue.create_track(conn, "Copy", bo.id)
        found = Identified(f"track:{original.id}", "track", original.id, "Original", None,
                           (ada.id,), 0.0, 0.0, 20.0, 0.8, 25.0, 1.0, ada.id)
        claim = open_claim(conn, copy.id, found, "c" * 64, "test")
        for artist, email in ((ada, "ada@example.org"), (bo, "bo@example.org")):
            accounts.create_user(conn, email, PASSWORD, artist.name, Role.ARTIST,
                                 artist_id=artist.id)
    bos = TestClient(client.app)
    log_in(bos, "bo@example.org")
    seen_by_bo = bos.get("/me/claims").text
    assert f"/me/claims/{claim.id}/dispute" in seen_by_bo and "/confirm" not in seen_by_bo
    token = csrf(seen_by_bo)
    assert bos.post(f"/me/claims/{claim.id}/release",
                    data={"csrf_token": token}).status_code == 403
    log_in(client, "ada@example.org")
    seen_by_ada = client.get("/me/claims").text
    assert f"/me/claims/{claim.id}/confirm" in seen_by_ada and "Ada" in seen_by_ada
    released = client.post(f"/me/claims/{claim.id}/release",
                           data={"csrf_token": csrf(seen_by_ada)})
    assert released.status_code == 200, released.text
    with engine.connect() as conn:
        [record] = claim_records(conn, artist_id=ada.id)
    assert record.status.value == "released"
