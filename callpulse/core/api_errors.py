"""One shape for API errors: 400 with a message per field, also for rules raised in services."""

from __future__ import annotations

import traceback
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from callpulse.core.parsers import nul_error, too_deep_error


def _raised_by_a_parser(exc: BaseException) -> bool:
    """True when the error came up from decoding the request body."""
    return any(
        frame.filename.endswith(("rest_framework/parsers.py", "json/decoder.py"))
        for frame in traceback.extract_tb(exc.__traceback__)
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn Django's ValidationError (raised by services) into DRF's 400 with field messages.

    Also the safety net for bodies too deeply nested for Python's JSON decoder in views that
    keep their own parsers (DRF's token view lists the stock JSONParser): a 400 naming the
    body, as DepthLimitedJSONParser answers everywhere else.
    """
    if isinstance(exc, RecursionError) and _raised_by_a_parser(exc):
        exc = too_deep_error()
    elif isinstance(exc, DataError) and "NUL" in str(exc):
        exc = nul_error("detail")  # from a query parameter or a form field, on PostgreSQL
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ProtectedError):
        return Response(
            {"detail": _("This record is still in use and cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
