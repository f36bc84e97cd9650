"""Campaigns API. `api_urls.py` registers ROUTES on the project router and adds URLPATTERNS.

The public endpoint for the website's "call me back" form needs no login and no cookies; it
answers cross-origin requests from the sites in CALLPULSE_CALLBACK_FORM_ORIGINS.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from callpulse.campaigns import selectors, services
from callpulse.campaigns.models import Campaign, CampaignRecord, RecordStatus
from callpulse.campaigns.public import (
    CallbackRequest,
    LimitsUnavailable,
    RateLimited,
    callback_request_submit,
)
from callpulse.campaigns.roles import DNC_EDITORS, RESULT_READERS
from callpulse.campaigns.serializers import (
    AttemptSerializer,
    CallbackRequestAnswerSerializer,
    CallbackRequestSerializer,
    CampaignRecordSerializer,
    CampaignSerializer,
    DispositionInputSerializer,
    DoNotCallSerializer,
    ProgressSerializer,
)
from callpulse.core.addresses import client_address
from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.permissions import role_permission, staff_user
from callpulse.core.roles import user_has_role
from callpulse.crm.models import DoNotCall


def allowed_origins() -> list[str]:
    """Sites whose pages may post the form from the browser (scheme://host[:port])."""
    return list(getattr(settings, "CALLPULSE_CALLBACK_FORM_ORIGINS", []))


def _cors(request: HttpRequest | Request, response: Response) -> Response:
    origin = request.headers.get("Origin", "")
    if origin and origin in allowed_origins():
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "3600"
        response["Vary"] = "Origin"
    return response


ACCEPTED_EXAMPLE = {"status": "accepted", "message": "Thank you! We will call you back."}


class PublicCallbackRequestView(APIView):
    """The website's "call me back": no login, no cookies, CORS for the configured sites."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=CallbackRequestSerializer,
        responses={
            201: CallbackRequestAnswerSerializer,
            429: CallbackRequestAnswerSerializer,
            503: CallbackRequestAnswerSerializer,
        },
        examples=[
            OpenApiExample(
                "request",
                value={
                    "name": "Aigerim",
                    "phone": "8 701 123 45 67",
                    "window_from": "2026-11-24T10:00",
                    "window_to": "2026-11-24T12:00",
                    "timezone": "Asia/Almaty",
                    "topic": "Prices for cement",
                    "website": "",
                },
                request_only=True,
            ),
            OpenApiExample("answer", value=ACCEPTED_EXAMPLE, response_only=True),
        ],
        description=(
            "Times are the visitor's local time in `timezone` (the browser's IANA zone; the "
            "known client's zone or the center's otherwise). 400 names each bad field (`phone` "
            "also for numbers the center does not call: premium-rate, shared-cost, other "
            "countries); 429 when an address or a number sent too many requests; 503 when the "
            "abuse counters cannot be reached (the form fails closed; try again later)."
        ),
    )
    def post(self, request: Request) -> Response:
        data = CallbackRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["honeypot"] = values.pop("website", "")
        try:
            callback_request_submit(data=CallbackRequest(**values), ip=client_address(request))
        except RateLimited as exc:
            body = {"status": "refused", "message": exc.message}
            if exc.field != "detail":
                body[exc.field] = [exc.message]  # type: ignore[assignment]
            return _cors(request, Response(body, status=status.HTTP_429_TOO_MANY_REQUESTS))
        except LimitsUnavailable as exc:
            body = {"status": "unavailable", "message": exc.message}
            unavailable = Response(
                body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"}
            )
            return _cors(request, unavailable)
        answer = {"status": "accepted", "message": _("Thank you! We will call you back.")}
        return _cors(request, Response(answer, status=status.HTTP_201_CREATED))

    def handle_exception(self, exc: Exception) -> Response:
        return _cors(self.request, super().handle_exception(exc))

    @extend_schema(exclude=True)
    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        return _cors(request, Response(status=status.HTTP_204_NO_CONTENT))


class CampaignViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Campaign],
):
    """Campaigns: managers see all; operators the active ones they are assigned to."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaigns_for(staff_user(self.request)).prefetch_related("dispositions")

    @extend_schema(request=None, responses={200: CampaignRecordSerializer, 204: None})
    @action(detail=True, methods=["post"])
    def next(self, request: Request, pk: str | None = None) -> Response:
        """Preview mode: the next record for me (the one I hold, if any); 204 when none is due."""
        campaign = get_object_or_404(Campaign, pk=pk)
        record = services.campaign_next_record(actor=staff_user(request), campaign=campaign)
        if record is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CampaignRecordSerializer(record).data)

    @extend_schema(responses=ProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Live progress: records by state, reached, dispositions, orders, by operator."""
        campaign = get_object_or_404(Campaign, pk=pk)
        if not selectors.user_may_read_results(staff_user(request), campaign):
            return Response(status=status.HTTP_403_FORBIDDEN)
        progress = selectors.campaign_progress(campaign)
        data = asdict(progress)
        return Response(ProgressSerializer(data).data)


class CampaignRecordViewSet(
    AtomicWritesMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CampaignRecord]
):
    """A record in my hands: dial it, log the disposition and answers, start an order."""

    serializer_class = CampaignRecordSerializer
    queryset = CampaignRecord.objects.none()

    def get_queryset(self) -> QuerySet[CampaignRecord]:
        user = staff_user(self.request)
        records = CampaignRecord.objects.select_related("campaign")
        if user_has_role(user, RESULT_READERS):
            return records
        return records.filter(assigned_to=user, status=RecordStatus.IN_PROGRESS)

    @extend_schema(request=None, responses={201: AttemptSerializer})
    @action(detail=True, methods=["post"])
    def dial(self, request: Request, pk: str | None = None) -> Response:
        """Click-to-call: a dial command for the phone system (do-not-call, hours enforced)."""
        attempt = services.campaign_dial(actor=staff_user(request), record=self.get_object())
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DispositionInputSerializer, responses=CampaignRecordSerializer)
    @action(detail=True, methods=["post"])
    def disposition(self, request: Request, pk: str | None = None) -> Response:
        """Log how the call ended, with the script's answers."""
        record = self.get_object()
        data = DispositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disposition = record.campaign.dispositions.filter(
            code=data.validated_data["disposition"]
        ).first()
        if disposition is None:
            return Response(
                {"disposition": [_("Choose one of this campaign's dispositions.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        record = services.campaign_disposition_log(
            actor=staff_user(request),
            record=record,
            disposition=disposition,
            notes=data.validated_data["notes"],
            answers=data.validated_data["answers"],
        )
        return Response(CampaignRecordSerializer(record).data)


class DoNotCallViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[DoNotCall],
):
    """The do-not-call list: callers add a refusal; the head of sales removes a number."""

    serializer_class = DoNotCallSerializer
    queryset = DoNotCall.objects.select_related("client").order_by("-created_at")
    permission_classes = [role_permission(read=DNC_EDITORS)]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DoNotCallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.dnc_add(
            actor=staff_user(request),
            number=data.validated_data["number"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(DoNotCallSerializer(entry).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.dnc_remove(actor=staff_user(request), entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# (prefix, viewset, basename), registered under /api/v1/
ROUTES: list[tuple[str, Any, str]] = [
    ("campaigns", CampaignViewSet, "campaign"),
    ("campaign-records", CampaignRecordViewSet, "campaign-record"),
    ("do-not-call", DoNotCallViewSet, "do-not-call"),
]
URLPATTERNS: list[URLPattern] = [
    re_path(
        r"^public/callback-requests/?$",
        PublicCallbackRequestView.as_view(),
        name="public-callback-requests",
    ),
]
