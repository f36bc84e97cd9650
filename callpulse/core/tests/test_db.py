"""Hot reads prepared on PostgreSQL: same rows, planned once, still counted as queries."""

import pytest
from django.db import connection

from callpulse.core.db import fetchone_prepared

pytestmark = pytest.mark.django_db

SQL = "SELECT %s || '-' || %s"


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_hot_read_gives_the_same_row_prepared_or_not(settings, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert fetchone_prepared(SQL, ["a", "b"]) == ("a-b",)
    settings.CALLPULSE_PG_PREPARE = False
    assert fetchone_prepared(SQL, ["c", "d"]) == ("c-d",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_the_statement_is_prepared_once_per_connection(settings):
    settings.CALLPULSE_PG_PREPARE = True
    for value in ("x", "y", "z"):
        assert fetchone_prepared(SQL, [value, "1"]) == (f"{value}-1",)
    prepared = [s for s in prepared_statements() if "|| '-' ||" in s]
    assert prepared == ["SELECT $1 || '-' || $2"]
