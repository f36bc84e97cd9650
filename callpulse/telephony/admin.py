"""Admin for the call registry (read mostly: the phone system writes it)."""

from __future__ import annotations

from django.contrib import admin

from callpulse.telephony.models import (
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
    CallTransfer,
    ClientRemark,
    CTIEvent,
    PhoneCommand,
)


class TransferInline(admin.TabularInline[CallTransfer, Call]):
    model = CallTransfer
    extra = 0
    raw_id_fields = ("from_user", "to_user")


class EventInline(admin.TabularInline[CTIEvent, Call]):
    model = CTIEvent
    extra = 0
    fields = ("at", "type", "event_id", "received_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin[Call]):
    list_display = (
        "ringing_at",
        "direction",
        "from_number",
        "client",
        "operator",
        "status",
        "outcome",
    )
    list_filter = ("direction", "status", "outcome", "purpose")
    search_fields = ("call_id", "from_number", "to_number", "client__name")
    raw_id_fields = ("client", "operator")
    date_hierarchy = "ringing_at"
    inlines = [TransferInline, EventInline]
    list_select_related = ("client", "operator")


@admin.register(CTIEvent)
class CTIEventAdmin(admin.ModelAdmin[CTIEvent]):
    list_display = ("at", "type", "event_id", "call")
    list_filter = ("type",)
    search_fields = ("event_id", "call__call_id")
    raw_id_fields = ("call",)


@admin.register(CallTransfer)
class CallTransferAdmin(admin.ModelAdmin[CallTransfer]):
    list_display = ("at", "call", "from_user", "to_user", "to_extension")
    raw_id_fields = ("call", "from_user", "to_user")


@admin.register(AgentStatus)
class AgentStatusAdmin(admin.ModelAdmin[AgentStatus]):
    list_display = ("user", "state", "since")
    list_filter = ("state",)
    raw_id_fields = ("user", "call")


@admin.register(AgentStateSpan)
class AgentStateSpanAdmin(admin.ModelAdmin[AgentStateSpan]):
    list_display = ("user", "state", "started_at", "ended_at")
    list_filter = ("state",)
    raw_id_fields = ("user",)


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin[Callback]):
    list_display = ("due_at", "phone", "client", "reason", "status", "assigned_to")
    list_filter = ("status", "reason")
    raw_id_fields = ("client", "call", "assigned_to")


@admin.register(ClientRemark)
class ClientRemarkAdmin(admin.ModelAdmin[ClientRemark]):
    list_display = ("created_at", "client", "department", "created_by")
    raw_id_fields = ("client", "call", "created_by")


@admin.register(PhoneCommand)
class PhoneCommandAdmin(admin.ModelAdmin[PhoneCommand]):
    list_display = ("created_at", "kind", "extension", "number", "status", "requested_by")
    list_filter = ("kind", "status")
    raw_id_fields = ("call", "requested_by")
