"""Campaigns: API. `api_urls.py` registers ROUTES on the project router and adds URLPATTERNS."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern

# (prefix, viewset, basename), registered under /api/v1/
ROUTES: list[tuple[str, Any, str]] = []
URLPATTERNS: list[URLPattern] = []
