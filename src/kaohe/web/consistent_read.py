"""One read-only view of the database at one point in time (``kaohe audit verify`` and ``kaohe backup``).

PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a DEFERRED transaction opened by hand (Django's
own begin IMMEDIATE, which takes the write lock and would hold writers up); with WAL, writers go on while the
reader keeps the snapshot that starts at its first read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


class ConsistentReadError(Exception):
    """The read cannot start: another database than PostgreSQL or SQLite, or inside an open transaction."""


@contextmanager
def consistent_read(*, join_open_transaction: bool) -> Iterator[None]:
    """Everything read inside sees the database as of one moment.

    Inside a transaction the caller already opened (tests, an atomic block): ``join_open_transaction`` reads in
    that one; otherwise ``ConsistentReadError``, as for a database other than PostgreSQL and SQLite."""
    if connection.vendor not in ("postgresql", "sqlite"):
        raise ConsistentReadError(f"SQLite and PostgreSQL are supported, not {connection.vendor}")
    if connection.in_atomic_block:
        if not join_open_transaction:
            raise ConsistentReadError("it cannot run inside another transaction")
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            cursor.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts at the first read
            yield
        finally:
            cursor.execute("COMMIT")
