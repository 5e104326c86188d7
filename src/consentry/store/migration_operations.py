"""What the migration helpers need of Alembic's operations, as a protocol.

The migrations pass the ``alembic.op`` module, a proxy whose functions mirror
``Operations``' methods; a protocol accepts both, where naming either class would refuse one.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Connection


class MigrationOperations(Protocol):
    def get_bind(self) -> Connection: ...

    def execute(self, sqltext: str) -> None: ...

    def alter_column(
        self, table_name: str, column_name: str, *, nullable: bool | None = None
    ) -> None: ...
