"""Long lists in pages: hundreds of rows on one screen are neither read nor fast."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

ROWS_PER_PAGE = 50


def page_of(request: HttpRequest, rows: Any, *, per_page: int = ROWS_PER_PAGE) -> Page:
    """The page `?page=` asks for; a bad or out-of-range number gives the first or last page."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))
