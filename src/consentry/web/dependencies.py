"""Per-request dependencies: a database transaction, and the authenticated principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from consentry.access import Principal, Role, require_role
from consentry.errors import Unauthenticated
from consentry.settings import Settings
from consentry.store.tokens import authenticate
from consentry.timestamps import parse_instant, utcnow

_MISSING_BEARER = "missing bearer token (Authorization: Bearer cst_...)"
_bearer = HTTPBearer(auto_error=False, description="An API token from `consentry tokens create`")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def db_transaction(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """One transaction per request: committed on success, rolled back on any error."""
    with engine.begin() as connection:
        yield connection


# Commit before the response leaves: a client told "201" must find its write on its next call.
_transaction = Depends(db_transaction, scope="function")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    connection: Annotated[Connection, _transaction],
) -> Principal:
    """The token's principal, read on the request's own connection.

    One connection per request: a second one here let concurrent requests each hold one
    and wait for another until the pool ran dry.
    """
    if credentials is None:
        raise Unauthenticated(_MISSING_BEARER)
    return authenticate(connection, request.app.state.settings.secret_key,
                        credentials.credentials)


def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    connection: Annotated[Connection, _transaction],
) -> Principal | None:
    """The principal for public routes that show more to some callers; a token that is sent
    must still be valid."""
    if credentials is None:
        return None
    return authenticate(connection, request.app.state.settings.secret_key,
                        credentials.credentials)


def principal_briefly(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    engine: Annotated[Engine, Depends(get_engine)],
) -> Principal:
    """The token's principal, read on a transaction of its own that ends at once.

    For routes that stream a long body (uploads): they must not keep a connection, and on
    PostgreSQL a transaction, open while a client sends for minutes.
    """
    if credentials is None:
        raise Unauthenticated(_MISSING_BEARER)
    with engine.begin() as connection:
        return authenticate(connection, request.app.state.settings.secret_key,
                            credentials.credentials)


def principal_in(*roles: Role, briefly: bool = False) -> Any:
    """A dependency: the caller, refused (403) unless its role is one of ``roles``.

    FastAPI runs dependencies before it validates parameters and body, so a role that may
    never make the request is told so first, not that its body is wrong.
    """
    base: Callable[..., Principal] = principal_briefly if briefly else current_principal

    def allowed(who: Principal = Depends(base)) -> Principal:  # a default: ``base`` is local
        require_role(who, roles)
        return who

    return Depends(allowed)


def instant(
    at: Annotated[str | None, Query(
        description="ISO 8601 instant to decide at (default: now); no offset means UTC")] = None,
) -> datetime:
    return parse_instant(at) if at else utcnow()


SettingsDep = Annotated[Settings, Depends(get_settings)]
Db = Annotated[Connection, _transaction]
Who = Annotated[Principal, Depends(current_principal)]
WhoBriefly = Annotated[Principal, Depends(principal_briefly)]
MaybeWho = Annotated[Principal | None, Depends(optional_principal)]
Admin = Annotated[Principal, principal_in(Role.ADMIN)]
EngineDep = Annotated[Engine, Depends(get_engine)]
At = Annotated[datetime, Depends(instant)]
