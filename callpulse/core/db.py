"""Hot reads as prepared statements on PostgreSQL.

Django leaves prepared statements off (they trouble connection poolers in transaction mode) and
binds parameters on the client. For the statements on the phone system's hot path (the caller
lookup of every routing decision, a ring's call lookup) PostgreSQL spends longer planning than
running them: prepared, they are planned once per connection. PgBouncer 1.21+ passes prepared
statements through (`max_prepared_statements`); `CALLPULSE_PG_PREPARE=0` turns them off.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection


def fetchone_prepared(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of `sql` (placeholders %s): prepared on PostgreSQL, plain elsewhere.

    The statement is still logged where Django logs queries (debug, tests counting queries).
    """
    if connection.vendor != "postgresql" or not settings.CALLPULSE_PG_PREPARE:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    connection.ensure_connection()
    started = time.monotonic()
    # Django's cursors bind on the client, which cannot prepare: a server-binding cursor can.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    if connection.queries_logged:
        elapsed = f"{time.monotonic() - started:.3f}"
        connection.queries_log.append(
            {"sql": f"{sql} -- prepared, {list(params)!r}", "time": elapsed}
        )
    return row
