"""Clients API: cards, lookup by number, credit history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.permissions import role_permission, staff_user
from callpulse.core.query_params import query_id
from callpulse.core.roles import ORGANISATION_EDITORS
from callpulse.crm import selectors, services
from callpulse.crm.models import Client, ClientType
from callpulse.crm.serializers import (
    ClientInputSerializer,
    ClientOutputSerializer,
    ClientTypeSerializer,
    CreditEventInputSerializer,
    CreditEventOutputSerializer,
)


class ClientTypeViewSet(AtomicWritesMixin, viewsets.ModelViewSet[ClientType]):
    """Client types (key, marketer, own outlet, retail, regional, new…): an editable list."""

    queryset = ClientType.objects.all()
    serializer_class = ClientTypeSerializer
    permission_classes = [role_permission(write=ORGANISATION_EDITORS)]


def _service_arguments(validated: dict[str, Any]) -> dict[str, Any]:
    arguments = dict(validated)
    if "phones" in arguments:
        arguments["phones"] = [services.PhoneInput(**p) for p in arguments["phones"]]
    if "contacts" in arguments:
        arguments["contacts"] = [services.ContactInput(**c) for c in arguments["contacts"]]
    return arguments


@extend_schema(
    parameters=[
        OpenApiParameter("search", str, description="A number in any form, a name or a region."),
        OpenApiParameter("type", str, description="Client type code."),
        OpenApiParameter("manager", int, description="Account manager id."),
        OpenApiParameter("region", str),
        OpenApiParameter("overdue", bool, description="Only clients with overdue debt."),
        OpenApiParameter("dormant", bool, description="Only dormant clients."),
    ]
)
class ClientViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Client],
):
    """Client cards. Every member of staff reads them; who writes what is a role rule."""

    serializer_class = ClientOutputSerializer

    def get_queryset(self) -> QuerySet[Client]:
        if self.action != "list":
            # A card is found by its id alone: the list's filters (a sliced search among them)
            # turned `PATCH /clients/5/?search=…` into a 404 and a re-read into a 500.
            return self._cards()
        params = self.request.query_params
        if search := params.get("search"):
            clients = selectors.clients_search(search, limit=200)
            return clients.prefetch_related("phones", "contacts")
        clients = selectors.clients_with_card_relations().prefetch_related("phones", "contacts")
        if params.get("dormant") in ("1", "true"):
            clients = selectors.clients_dormant().prefetch_related("phones", "contacts")
        if client_type := params.get("type"):
            clients = clients.filter(client_type__code=client_type)
        if (manager := query_id(self.request, "manager")) is not None:
            clients = clients.filter(manager_id=manager)
        if region := params.get("region"):
            clients = clients.filter(region__iexact=region)
        if params.get("overdue") in ("1", "true"):
            clients = clients.filter(overdue_debt__gt=0)
        return clients.order_by("name", "pk")

    @staticmethod
    def _cards() -> QuerySet[Client]:
        return selectors.clients_with_card_relations().prefetch_related("phones", "contacts")

    def _answer(self, client: Client, code: int = status.HTTP_200_OK) -> Response:
        """The written client as the card shows it: re-read by pk alone, never through the
        list's filters (`?search=` would miss it after the write has committed)."""
        return Response(ClientOutputSerializer(self._cards().get(pk=client.pk)).data, status=code)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        client = self.get_object()
        return Response(ClientOutputSerializer(selectors.client_with_live_receivables(client)).data)

    @extend_schema(request=ClientInputSerializer, responses={201: ClientOutputSerializer})
    def create(self, request: Request) -> Response:
        data = ClientInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_create(
            actor=staff_user(request), **_service_arguments(data.validated_data)
        )
        return self._answer(client, status.HTTP_201_CREATED)

    @extend_schema(request=ClientInputSerializer, responses=ClientOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        client = self.get_object()
        data = ClientInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        arguments = _service_arguments(data.validated_data)
        arguments.pop("contacts", None)  # contacts are edited on the card, one by one
        services.client_update(actor=staff_user(request), client=client, **arguments)
        return self._answer(client)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "phone",
                str,
                required=True,
                description="The number in any common form: 8 (701) 123-45-67, +7 701 1234567…",
                examples=[OpenApiExample("national", value="8 (701) 123-45-67")],
            )
        ],
        responses={
            200: ClientOutputSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Not a phone number."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No client has this number."),
        },
    )
    @action(detail=False, url_path="lookup")
    def lookup(self, request: Request) -> Response:
        """Find the client a number belongs to (caller identification)."""
        raw = request.query_params.get("phone", "")
        try:
            client = selectors.client_find_by_phone(raw)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"phone": exc.messages}) from exc
        if client is None:
            return Response(
                {"detail": "No client has this number.", "phone": raw},
                status=status.HTTP_404_NOT_FOUND,
            )
        prefetch_related_objects([client], "phones", "contacts")
        return Response(ClientOutputSerializer(selectors.client_with_live_receivables(client)).data)

    @extend_schema(
        methods=["GET"],
        responses=CreditEventOutputSerializer(many=True),
        description="Credit history.",
    )
    @extend_schema(
        methods=["POST"],
        request=CreditEventInputSerializer,
        responses={201: CreditEventOutputSerializer},
        description="Record an invoice, payment or write-off (finance).",
    )
    @action(detail=True, methods=["get", "post"], url_path="credit-events")
    def credit_events(self, request: Request, pk: str | None = None) -> Response:
        client = get_object_or_404(Client, pk=pk)
        if request.method == "GET":
            events = client.credit_events.all()[:500]
            return Response(CreditEventOutputSerializer(events, many=True).data)
        data = CreditEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.credit_event_record(
            actor=staff_user(request), client=client, **data.validated_data
        )
        return Response(CreditEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)
