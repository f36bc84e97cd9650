"""Orders API: the rules of the screen (credit check, offers, terms), one service per call."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.permissions import staff_user
from callpulse.core.query_params import query_id
from callpulse.orders import selectors, services
from callpulse.orders.models import Order
from callpulse.orders.permissions import orders_visible_to
from callpulse.orders.serializers import (
    AcceptSerializer,
    CancelSerializer,
    CandidateSerializer,
    FulfilmentStepSerializer,
    HandOffSerializer,
    LinesSerializer,
    OfferInputSerializer,
    OfferSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    ShipSerializer,
    TermsSerializer,
)


def _lines(validated: list[dict[str, object]]) -> list[services.LineInput]:
    return [services.LineInput(product=v["product"], quantity=v["quantity"]) for v in validated]  # type: ignore[arg-type]


class OrderViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Order],
):
    """Orders. Heads, supervisors, finance and analysts see all; others see the orders they took,
    those of the clients they manage and those handed off to them (`orders.permissions`)."""

    serializer_class = OrderSerializer
    queryset = Order.objects.none()

    def get_queryset(self) -> QuerySet[Order]:
        user = staff_user(self.request)
        orders = (
            orders_visible_to(user)
            .select_related("price_column")
            .prefetch_related("lines__product", "offers__product", "history")
        )
        if (client := query_id(self.request, "client")) is not None:
            orders = orders.filter(client_id=client)
        if order_status := self.request.query_params.get("status"):
            orders = orders.filter(status=order_status)
        return orders.order_by("-created_at", "-pk")

    def _answer(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        """The written order, re-read by pk alone: the list's filters (`?status=`, `?client=`)
        and who sees what must not turn a committed write into a 500."""
        written = (
            Order.objects.select_related("price_column")
            .prefetch_related("lines__product", "offers__product", "history")
            .get(pk=order.pk)
        )
        return Response(OrderSerializer(written).data, status=code)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request: Request) -> Response:
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = staff_user(request)
        order = services.order_start(
            actor=actor,
            client=data.validated_data["client"],
            call_id=data.validated_data.get("call"),
        )
        if data.validated_data.get("lines"):
            services.order_set_lines(
                actor=actor, order=order, lines=_lines(data.validated_data["lines"])
            )
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=LinesSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["put"])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        """Replace the lines; every line comes back priced with its explanation."""
        data = LinesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_set_lines(
            actor=staff_user(request),
            order=self.get_object(),
            lines=_lines(data.validated_data["lines"]),
        )
        return self._answer(order)

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get"])
    def candidates(self, request: Request, pk: str | None = None) -> Response:
        """What to offer beyond the order, best first."""
        return Response(
            CandidateSerializer(selectors.offer_candidates(self.get_object()), many=True).data
        )

    @extend_schema(request=OfferInputSerializer, responses={201: OfferSerializer})
    @action(detail=True, methods=["post"])
    def offers(self, request: Request, pk: str | None = None) -> Response:
        """Record an offer presented and the client's answer."""
        data = OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.order_offer_record(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TermsSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["patch"])
    def terms(self, request: Request, pk: str | None = None) -> Response:
        data = TermsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        order = services.order_set_terms(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return self._answer(order)

    @extend_schema(request=AcceptSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept: 400 names what is missing; `credit` says why the credit check refused."""
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_accept(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return self._answer(order)

    @extend_schema(request=HandOffSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="hand-off")
    def hand_off(self, request: Request, pk: str | None = None) -> Response:
        data = HandOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = self.get_object()
        services.order_hand_off(
            actor=staff_user(request), order=order, to=data.validated_data["to"]
        )
        return self._answer(order)

    @extend_schema(request=CancelSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_cancel(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return self._answer(order)

    @extend_schema(request=FulfilmentStepSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def pick(self, request: Request, pk: str | None = None) -> Response:
        """Picked at the warehouse (ORDER_PICKERS); only an accepted order."""
        data = FulfilmentStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_pick(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return self._answer(order)

    @extend_schema(request=ShipSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request: Request, pk: str | None = None) -> Response:
        """Shipped: the invoice is raised (the amount moves from open orders to debt)."""
        data = ShipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_ship(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return self._answer(order)

    @extend_schema(request=FulfilmentStepSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str | None = None) -> Response:
        """Delivered to the client; only a shipped order."""
        data = FulfilmentStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_deliver(
            actor=staff_user(request), order=self.get_object(), **data.validated_data
        )
        return self._answer(order)
