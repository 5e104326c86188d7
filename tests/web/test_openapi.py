"""The OpenAPI document describes the one error body and the bodies that are not JSON.

A fast guard beside tests/web/test_api_contract.py, which sends the requests: here only the
document is read, so a route that loses its declarations fails at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consentry.audio import FORMATS
from consentry.web.errors import ErrorOut
from tests.web.conftest import World

ERROR = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    served: dict[str, Any] = client.get("/openapi.json").json()
    return served


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", operation)
            for path, item in document["paths"].items() for method, operation in item.items()]


def test_every_error_answer_is_the_one_error_body(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for name, operation in operations(document):
        for status, answer in operation["responses"].items():
            if status[0] in "45":
                assert answer["content"] == {"application/json": {"schema": ERROR}}, \
                    (name, status)
                assert answer["description"], (name, status)


def test_every_operation_that_takes_a_token_documents_401(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        if operation.get("security"):
            assert "401" in operation["responses"], name
        if name.startswith("POST"):
            assert "403" in operation["responses"] or not operation.get("security"), name


def test_bodies_that_are_not_json_are_declared(document: dict[str, Any]) -> None:
    def media(path: str, method: str = "get", status: str = "200") -> set[str]:
        return set(document["paths"][path][method]["responses"][status]["content"])

    assert media("/v1/eligibility") == {"application/vnd.apache.parquet", "text/csv"}
    assert media("/v1/datasets/{snapshot_id}/manifest") == {"application/vnd.apache.parquet"}
    assert media("/v1/usage/uses") == media("/v1/usage/compensation") == {
        "application/json", "text/csv"}
    recordings = {f.mime for f in FORMATS}
    for method in ("get", "head"):
        assert media("/v1/tracks/{track_id}/audio", method) == recordings
        assert media("/v1/tracks/{track_id}/audio", method, "206") == recordings


@pytest.mark.slow
def test_the_validation_error_body_is_the_documented_one(client: TestClient,
                                                         world: World) -> None:
    response = client.get("/v1/artists?offset=-1", headers=world.headers("admin"))
    assert response.status_code == 422
    body = ErrorOut.model_validate(response.json())
    assert body.error == "invalid_request"
    assert body.problems and body.problems[0].location == "query.offset"
