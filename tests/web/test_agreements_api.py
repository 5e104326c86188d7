"""Agreements through the API: one that would change no decision is refused, and a backdated
one says when it was recorded and from when it counts."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.web.conftest import World


def test_an_agreement_restricting_a_required_use_is_refused(client: TestClient,
                                                            world: World) -> None:
    url = f"/v1/rights-holders/{world.holder_1}/agreements"
    before = client.get(url, headers=world.headers("holder_1")).json()
    refused = client.post(url, headers=world.headers("holder_1"), json={
        "title": "No fraud checks", "restricted_purposes": ["fraud-detection"]})
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid_input"
    assert "fraud-detection" in refused.json()["detail"]
    assert client.get(url, headers=world.headers("holder_1")).json() == before


def test_a_backdated_agreement_counts_from_its_recording(client: TestClient,
                                                         world: World) -> None:
    answer = client.post(f"/v1/rights-holders/{world.holder_1}/agreements",
                         headers=world.headers("holder_1"), json={
                             "title": "Signed in 2024", "restricted_purposes": ["train-ai"],
                             "starts_at": "2024-01-01T00:00:00Z"})
    assert answer.status_code == 201
    body = answer.json()
    recorded = datetime.fromisoformat(body["recorded_at"])
    assert datetime.fromisoformat(body["starts_at"]) == datetime(2024, 1, 1, tzinfo=UTC)
    assert datetime.fromisoformat(body["effective_from"]) == recorded > datetime(2026, 1, 1,
                                                                                 tzinfo=UTC)


def test_an_admin_publishes_terms_with_their_purposes(client: TestClient, world: World) -> None:
    """Required and prohibited purposes are fields of the publication (issue scenario 8)."""
    answer = client.post("/v1/terms", headers=world.headers("admin"), json={
        "version": "2027-01", "markdown": "# Terms\n\n## 1. AI\n\nNo voice cloning.",
        "prohibited_purposes": ["voice-likeness"]})
    assert answer.status_code == 201, answer.text
    assert answer.json()["prohibited_purposes"] == ["voice-likeness"]
    assert answer.json()["required_purposes"] == ["content-identification", "fraud-detection"]
    unknown = client.post("/v1/terms", headers=world.headers("admin"), json={
        "version": "2027-02", "markdown": "# Terms\n\nOther.", "required_purposes": ["x-ray"]})
    assert unknown.status_code == 422
