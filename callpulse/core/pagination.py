"""One pagination for every API list: `limit`/`offset`, with the page size capped.

Without a cap a client may ask for a whole table in one answer (one finance request returned
18 MB in seven seconds), and a `limit` past 2^63 overflows the database's LIMIT into a 500.
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

MAX_PAGE_SIZE = 500


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset with `limit` capped at MAX_PAGE_SIZE.

    A huge `offset` needs no cap: DRF counts first and answers an empty page for any offset past
    the end without running the slice.
    """

    max_limit = MAX_PAGE_SIZE
