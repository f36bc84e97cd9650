"""Writes through the API stand or fall with their answer.

A write that commits and then fails to build its answer (a re-read that raises, a serializer
that trips) answers 500 to a client that retries — and the retry writes a duplicate. So every
viewset that writes runs its unsafe requests in one transaction that commits only when the
answer is a success: an error answer, 4xx or 5xx, leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response


class AtomicWritesMixin:
    """For a viewset or APIView: POST/PUT/PATCH/DELETE commit only with a 1xx-3xx answer."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        with transaction.atomic():
            response: Response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response
