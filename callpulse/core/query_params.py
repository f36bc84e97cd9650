"""Query-string values an API list filters by, checked before they reach the database.

`?client=abc` makes the ORM raise ValueError, and `?client=99999999999999999999` overflows the
database's integer: both were 500s. A bad value is the caller's mistake, so it is a 400 naming
the parameter.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

MAX_ID = 2**63 - 1  # the largest id a database integer column holds (PostgreSQL bigint, SQLite)


def query_id(request: Request, name: str) -> int | None:
    """The id given as `?<name>=`, None when absent or empty; a 400 naming it when not an id."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)) or int(raw) > MAX_ID:
        raise serializers.ValidationError({name: [_("Give a numeric id.")]})
    return int(raw)
