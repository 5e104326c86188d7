"""The OpenAPI document as the server answers.

Routes declare the errors their own logic raises (``error_responses``); this adds the ones
every operation of a kind gives, whatever its logic: 401 wherever a token is taken, 400 where
a JSON body is read, 410 wherever a track is looked up by its id (a removed track is gone, not
unknown), and 422 in the one error body rather than FastAPI's default, which the error
handler never sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from consentry.web.api.listing import LIST_HEADERS
from consentry.web.errors import WHY, ErrorOut

ERROR_SCHEMA = ErrorOut.__name__
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Have ``app.openapi()`` (and /openapi.json, /docs) serve the completed document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            complete_error_answers(build())  # FastAPI caches what it built; completed in place
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def complete_error_answers(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _add_error_schema(schemas)
    for path, path_item in document.get("paths", {}).items():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "{track_id}" in path:
                responses.setdefault("410", _error(410))
            if _is_list(operation):
                _with_list_headers(responses.get("200", {}))
            for status, answer in responses.items():
                if status[0] in "45":
                    _in_error_body(int(status), answer)
            if operation.get("security"):
                responses.setdefault("401", _error(401))
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                responses.setdefault("400", _error(400))
            operation["responses"] = dict(sorted(responses.items()))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)


def _is_list(operation: dict[str, Any]) -> bool:
    """A list is an operation taking a window (``limit`` and ``offset``): web/api/listing.py."""
    names = {p["name"] for p in operation.get("parameters", ()) if p.get("in") == "query"}
    return {"limit", "offset"} <= names


def _with_list_headers(answer: dict[str, Any]) -> None:
    """Every list sends its total and links; a CSV variant of one (the whole list, no
    window) may not, so there they are described but not required."""
    alone = set(answer.get("content", {})) <= {"application/json"}
    answer["headers"] = {name: {**header, "required": header["required"] and alone}
                         for name, header in LIST_HEADERS.items()}


def _in_error_body(status: int, answer: dict[str, Any]) -> None:
    """An error answer a route declared by its description alone, or FastAPI's 422."""
    answer["content"] = _error(status)["content"]
    if answer.get("description") in (None, "", "Validation Error"):
        answer["description"] = WHY.get(status, "Error")


def _error(status: int) -> dict[str, Any]:
    return {"description": WHY[status], "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}}


def _add_error_schema(schemas: dict[str, Any]) -> None:
    """The error body, should no route have declared it yet."""
    if ERROR_SCHEMA in schemas:
        return
    schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[ERROR_SCHEMA] = schema
