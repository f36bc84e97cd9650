"""`POST /api/v1/auth/token`: a staff member's API token for their username and password.

For integrations and scripts that act as a person (a service token is for machines: see
docs/cti.md). The password goes through the same lockout as the sign-in screen: while locked the
answer is 429 with the reason and a Retry-After header.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from callpulse.core.login_throttle import lockout_for
from callpulse.core.parsers import DepthLimitedJSONParser


class TokenCreateView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    parser_classes = [DepthLimitedJSONParser, FormParser, MultiPartParser]  # as the rest of the API

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenAnswer", {"token": serializers.CharField()}),
            400: None,
            429: None,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        lockout = lockout_for(request._request, username if isinstance(username, str) else None)
        if lockout is not None:
            raise Throttled(wait=lockout.retry_after_seconds, detail=lockout.message)
        answer: Response = super().post(request, *args, **kwargs)
        answer.status_code = status.HTTP_200_OK
        return answer
