"""API shapes for CTI events, routing decisions, calls, agent states and callbacks."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from callpulse.telephony.models import (
    AgentState,
    AgentStatus,
    Call,
    Callback,
    CTIEventType,
    Direction,
    Outcome,
    PhoneCommand,
    Purpose,
)
from callpulse.telephony.routing import reasons_text


class OffsetDateTimeField(serializers.DateTimeField):
    """A moment that must carry its UTC offset: a phone system's local time is ambiguous."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not _has_offset(value):
            raise serializers.ValidationError("Give the moment with its UTC offset (or Z).")
        return super().to_internal_value(value)


def _has_offset(text: str) -> bool:
    tail = text.strip()[10:]
    return tail.endswith("Z") or "+" in tail or "-" in tail


class CTIEventSerializer(serializers.Serializer[Any]):
    """One event from the phone system."""

    event_id = serializers.CharField(max_length=100, help_text="Idempotency key: resend freely.")
    call_id = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=CTIEventType.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    from_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    to_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    extension = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="Who answered, or who received the transfer.",
    )
    queue = serializers.CharField(max_length=60, required=False, allow_blank=True)
    at = OffsetDateTimeField(help_text="ISO 8601 with offset, e.g. 2026-11-23T10:15:02+05:00.")
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False, allow_blank=True)
    recording_url = serializers.URLField(max_length=500, required=False, allow_blank=True)

    @classmethod
    def parse(cls, data: Any) -> dict[str, Any]:
        """The validated values, or a ValidationError naming each bad field.

        One instance serves every request: a new serializer deep-copies its fields, which cost
        more than the rest of receiving an event. Validation reads the fields, never writes them.
        """
        return _SHARED_CTI_SERIALIZER.to_internal_value(data)


_SHARED_CTI_SERIALIZER = CTIEventSerializer()


class RoutingTargetSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["user", "queue"])
    user = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    extension = serializers.CharField(allow_null=True)
    queue = serializers.CharField(allow_null=True)


class RoutingDecisionSerializer(serializers.Serializer[Any]):
    """A routing decision with its reasons in codes and in words."""

    target = RoutingTargetSerializer()
    client = serializers.IntegerField(allow_null=True)
    new_client = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.DictField())
    summary = serializers.SerializerMethodField()

    def get_summary(self, decision: dict[str, Any]) -> str:
        return reasons_text(decision.get("reasons", []))


class CTIResponseSerializer(serializers.Serializer[Any]):
    call_id = serializers.CharField()
    event_id = serializers.CharField()
    routing = RoutingDecisionSerializer(required=False)


class CallSerializer(serializers.ModelSerializer[Call]):
    client_name = serializers.CharField(source="client.name", read_only=True, default=None)
    operator_name = serializers.CharField(source="operator.__str__", read_only=True, default=None)
    routing_summary = serializers.SerializerMethodField()
    transfers = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "call_id",
            "direction",
            "from_number",
            "caller_raw",
            "to_number",
            "client",
            "client_name",
            "is_new_caller",
            "queue",
            "operator",
            "operator_name",
            "purpose",
            "status",
            "ringing_at",
            "answered_at",
            "ended_at",
            "wait_seconds",
            "talk_seconds",
            "wrap_up_seconds",
            "outcome",
            "notes",
            "recording_url",
            "routing",
            "routing_summary",
            "transfers",
        ]

    def get_routing_summary(self, call: Call) -> str:
        return reasons_text(call.routing.get("reasons", [])) if call.routing else ""

    def get_transfers(self, call: Call) -> list[dict[str, Any]]:
        return [
            {"from": t.from_user_id, "to": t.to_user_id, "extension": t.to_extension, "at": t.at}
            for t in call.transfers.all()
        ]


class OutcomeInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True)
    callback_at = serializers.DateTimeField(required=False, allow_null=True)


class AgentStatusSerializer(serializers.ModelSerializer[AgentStatus]):
    name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = AgentStatus
        fields = ["user", "name", "state", "since", "call"]


class AgentStateInputSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(
        choices=[(s, AgentState(s).label) for s in ("available", "break", "offline")]
    )


class CallbackSerializer(serializers.ModelSerializer[Callback]):
    client_name = serializers.CharField(source="client.name", read_only=True, default=None)

    class Meta:
        model = Callback
        fields = [
            "id",
            "phone",
            "client",
            "client_name",
            "reason",
            "due_at",
            "call",
            "assigned_to",
            "status",
            "note",
        ]


class PhoneCommandSerializer(serializers.ModelSerializer[PhoneCommand]):
    call_id = serializers.CharField(source="call.call_id", read_only=True, default=None)

    class Meta:
        model = PhoneCommand
        fields = ["id", "kind", "call_id", "extension", "number", "status", "created_at"]


class PhoneCommandAckSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    error = serializers.CharField(required=False, allow_blank=True, max_length=255)
