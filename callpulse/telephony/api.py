"""Calls API: the CTI webhook, routing suggestions, the registry, agent states, callbacks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.permissions import role_permission, staff_user
from callpulse.core.query_params import query_id
from callpulse.core.roles import STAFF_DIRECTORY, RoleCode, user_has_role
from callpulse.core.service_auth import ServiceTokenAuthentication, service_scope
from callpulse.telephony import selectors, services
from callpulse.telephony.cti import CTIEventInput, cti_event_receive
from callpulse.telephony.models import (
    AgentStatus,
    Call,
    Callback,
    CallbackStatus,
    CommandStatus,
    PhoneCommand,
    Purpose,
)
from callpulse.telephony.routing import call_route, reasons_text
from callpulse.telephony.serializers import (
    AgentStateInputSerializer,
    AgentStatusSerializer,
    CallbackSerializer,
    CallSerializer,
    CTIEventSerializer,
    CTIResponseSerializer,
    OutcomeInputSerializer,
    PhoneCommandAckSerializer,
    PhoneCommandSerializer,
    RoutingDecisionSerializer,
)

RINGING_EXAMPLE = {
    "event_id": "pbx-7f3a-0001",
    "call_id": "1700000000.42",
    "type": "ringing",
    "direction": "inbound",
    "from_number": "8 (701) 123-45-67",
    "to_number": "+77272501122",
    "queue": "sales",
    "at": "2026-11-23T10:15:02+05:00",
    "purpose": "other",
}
ROUTING_EXAMPLE = {
    "call_id": "1700000000.42",
    "event_id": "pbx-7f3a-0001",
    "routing": {
        "target": {
            "kind": "user",
            "user": 12,
            "name": "Петров Сергей",
            "extension": "202",
            "queue": None,
        },
        "client": 1,
        "new_client": False,
        "reasons": [
            {
                "code": "known_client",
                "params": {"client": "ТОО «Алтын Дала»", "type": "Key client"},
            },
            {
                "code": "absent",
                "params": {"name": "Иванова Айгерим", "kind": "vacation", "until": "2026-11-28"},
            },
            {"code": "key_account_manager", "params": {"name": "Петров Сергей"}},
        ],
        "summary": (
            "ТОО «Алтын Дала», Key client → Иванова Айгерим: Vacation until 28 Nov"
            " → Петров Сергей, key accounts"
        ),
    },
}


class CTIEventView(APIView):
    """The phone system reports what happens on each call; for an inbound ring it gets the route."""

    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [service_scope("cti")]

    @extend_schema(
        request=CTIEventSerializer,
        responses={200: CTIResponseSerializer},
        examples=[
            OpenApiExample("inbound ring", value=RINGING_EXAMPLE, request_only=True),
            OpenApiExample("the routing answer", value=ROUTING_EXAMPLE, response_only=True),
        ],
        description=(
            "Authenticate with `Authorization: Bearer <service token>` (scope `cti`; "
            "`manage.py service_token asterisk --scope cti`). Resending an event_id returns the "
            "first answer and changes nothing. Events may arrive in any order."
        ),
    )
    def post(self, request: Request) -> Response:
        values = CTIEventSerializer.parse(request.data)
        event = CTIEventInput(**{k: v for k, v in values.items() if v is not None})
        answer = cti_event_receive(event=event)
        if "routing" in answer:
            # The serializer documents this shape; building it directly is most of its cost.
            routing = {**answer["routing"], "summary": reasons_text(answer["routing"]["reasons"])}
            answer = {**answer, "routing": routing}
        return Response(answer)


class RoutingSuggestView(APIView):
    """The routing decision for a caller and a purpose, without a call."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "phone", str, required=True, description="The caller's number, any form."
            ),
            OpenApiParameter("purpose", str, enum=Purpose.values, required=False),
        ],
        responses=RoutingDecisionSerializer,
    )
    def get(self, request: Request) -> Response:
        phone = request.query_params.get("phone", "").strip()
        if not phone:
            raise serializers.ValidationError({"phone": ["Give the caller's number."]})
        try:
            decision = call_route(phone=phone, purpose=request.query_params.get("purpose") or None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        answer = decision.as_dict()
        # The serializer documents this shape; building it directly halves the cost of an answer.
        answer["summary"] = reasons_text(answer["reasons"])
        return Response(answer)


class CallViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Call],
):
    """The call registry. Operators see their own calls; supervisors and heads see all."""

    serializer_class = CallSerializer
    queryset = Call.objects.none()

    def get_queryset(self) -> QuerySet[Call]:
        user = staff_user(self.request)
        calls = selectors.calls_registry().prefetch_related("transfers")
        if not user_has_role(user, STAFF_DIRECTORY | {RoleCode.QA_SPECIALIST, RoleCode.ANALYST}):
            calls = calls.filter(operator=user)
        params = self.request.query_params
        if params.get("unlogged") in ("1", "true"):
            calls = calls.filter(status="ended", outcome="", answered_at__isnull=False)
        if (client := query_id(self.request, "client")) is not None:
            calls = calls.filter(client_id=client)
        return calls.order_by("-ringing_at", "-pk")

    @extend_schema(request=OutcomeInputSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str | None = None) -> Response:
        """Log the outcome at wrap-up (the operator who had the call)."""
        call = get_object_or_404(Call, pk=pk)
        data = OutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = services.call_log_outcome(
            actor=staff_user(request), call=call, **data.validated_data
        )
        return Response(CallSerializer(call).data)


class AgentViewSet(AtomicWritesMixin, viewsets.GenericViewSet[AgentStatus]):
    """Agent states: everyone's for supervisors, and each operator's own buttons."""

    serializer_class = AgentStatusSerializer
    queryset = AgentStatus.objects.select_related("user")

    @extend_schema(responses=AgentStatusSerializer(many=True))
    def list(self, request: Request) -> Response:
        if not user_has_role(staff_user(request), STAFF_DIRECTORY):
            raise serializers.ValidationError({"detail": "Supervisors see everyone's state."})
        return Response(AgentStatusSerializer(self.get_queryset(), many=True).data)

    @extend_schema(request=AgentStateInputSerializer, responses=AgentStatusSerializer)
    @action(detail=False, methods=["get", "post"], url_path="me")
    def me(self, request: Request) -> Response:
        user = staff_user(request)
        if request.method == "POST":
            data = AgentStateInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.agent_state_choose(user=user, state=data.validated_data["state"])
        current = AgentStatus.objects.select_related("user").filter(user=user).first()
        if current is None:
            return Response({"user": user.pk, "state": None, "since": None, "call": None})
        return Response(AgentStatusSerializer(current).data)


class CallbackQueueSerializer(CallbackSerializer):
    """A callback as the queue shows it: the website request, attempts, the reservation."""

    class Meta(CallbackSerializer.Meta):
        fields = [
            *CallbackSerializer.Meta.fields,
            "name",
            "topic",
            "window_start",
            "window_end",
            "client_timezone",
            "priority",
            "requests",
            "attempts",
            "first_due_at",
            "first_attempt_at",
            "reserved_until",
        ]


class CallbackSettleSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=["done", "no_answer", "cancelled"])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class DialCommandSerializer(serializers.ModelSerializer[PhoneCommand]):
    class Meta:
        model = PhoneCommand
        fields = ["id", "kind", "extension", "number", "status", "callback", "result"]


class PhoneCommandAckInputSerializer(PhoneCommandAckSerializer):
    call_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="For a dial: the id of the call it placed (the call_id of its CTI events).",
    )


class CallbackViewSet(AtomicWritesMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Callback]):
    """Calls we owe clients: open ones by urgency (those I may call), or by status."""

    serializer_class = CallbackQueueSerializer
    permission_classes = [role_permission()]
    queryset = Callback.objects.none()

    def get_queryset(self) -> QuerySet[Callback]:
        status_filter = self.request.query_params.get("status", CallbackStatus.OPEN)
        if status_filter == CallbackStatus.OPEN:
            return selectors.callback_queue_visible_to(staff_user(self.request))
        return selectors.callbacks_closed_visible_to(staff_user(self.request), status_filter)

    @extend_schema(request=None, responses={200: CallbackQueueSerializer, 204: None})
    @action(detail=False, methods=["post"])
    def take(self, request: Request) -> Response:
        """An available operator takes the most urgent due callback (kept for them a while)."""
        callback = services.callback_take_next(actor=staff_user(request))
        if callback is None:
            return Response(status=204)
        return Response(CallbackQueueSerializer(callback).data)

    @extend_schema(request=None, responses={201: DialCommandSerializer})
    @action(detail=True, methods=["post"])
    def dial(self, request: Request, pk: str | None = None) -> Response:
        """One click: a dial command for the phone system; the attempt starts the SLA clock."""
        callback = get_object_or_404(Callback, pk=pk)
        command = services.callback_dial(actor=staff_user(request), callback=callback)
        return Response(DialCommandSerializer(command).data, status=201)

    @extend_schema(request=CallbackSettleSerializer, responses=CallbackQueueSerializer)
    @action(detail=True, methods=["post"])
    def settle(self, request: Request, pk: str | None = None) -> Response:
        """Close by hand: reached, no answer (retry rule) or cancelled (with a note)."""
        callback = get_object_or_404(Callback, pk=pk)
        data = CallbackSettleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        callback = services.callback_settle(
            actor=staff_user(request), callback=callback, **data.validated_data
        )
        return Response(CallbackQueueSerializer(callback).data)


class PhoneCommandViewSet(
    AtomicWritesMixin, mixins.ListModelMixin, viewsets.GenericViewSet[PhoneCommand]
):
    """Commands for the phone system (transfers, dials), polled with the cti service token."""

    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [service_scope("cti")]
    serializer_class = PhoneCommandSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[PhoneCommand]:
        wanted = self.request.query_params.get("status", CommandStatus.PENDING)
        return (
            PhoneCommand.objects.select_related("call").filter(status=wanted).order_by("pk")[:100]
        )

    @extend_schema(request=PhoneCommandAckInputSerializer, responses=PhoneCommandSerializer)
    @action(detail=True, methods=["post"])
    def ack(self, request: Request, pk: str | None = None) -> Response:
        """The phone system carried the command out (ok) or could not (error).

        For a dial, send the placed call's id as `call_id`: its CTI events then settle the
        callback or campaign attempt the dial was for.
        """
        command = get_object_or_404(PhoneCommand, pk=pk)
        data = PhoneCommandAckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        command = services.phone_command_acknowledge(command=command, **data.validated_data)
        return Response(PhoneCommandSerializer(command).data)
