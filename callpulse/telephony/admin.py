"""Admin for the call registry (read mostly: the phone system writes it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from callpulse.telephony.cti import cti_events_retry
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


class JournalStateFilter(admin.SimpleListFilter):
    """Waiting, applied, or set aside with an error: where each event stands."""

    title = _("journal")
    parameter_name = "journal"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [
            ("waiting", _("Waiting")),
            ("applied", _("Applied")),
            ("set_aside", _("Set aside")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CTIEvent]) -> QuerySet[CTIEvent]:
        if self.value() == "waiting":
            return queryset.filter(applied_at__isnull=True)
        if self.value() == "applied":
            return queryset.filter(applied_at__isnull=False, apply_error="")
        if self.value() == "set_aside":
            return queryset.exclude(apply_error="")
        return queryset


@admin.register(CTIEvent)
class CTIEventAdmin(admin.ModelAdmin[CTIEvent]):
    list_display = (
        "at",
        "type",
        "event_id",
        "call_ref",
        "received_at",
        "applied_at",
        "apply_error",
    )
    list_filter = (JournalStateFilter, "type")
    search_fields = ("event_id", "call_ref")
    raw_id_fields = ("call",)
    actions = ["apply_again"]

    @admin.action(description=_("Apply the selected set-aside events again"))
    def apply_again(self, request: HttpRequest, queryset: QuerySet[CTIEvent]) -> None:
        count = cti_events_retry(event_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d event is back in the journal.",
                "%(count)d events are back in the journal.",
                count,
            )
            % {"count": count},
        )


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
