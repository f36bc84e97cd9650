"""Campaigns: admin (and the outbound models kept in crm and telephony)."""

from __future__ import annotations

from django.contrib import admin

from callpulse.campaigns.models import (
    Campaign,
    CampaignAttempt,
    CampaignRecord,
    Disposition,
    Script,
    ScriptAnswer,
    ScriptResponse,
    ScriptStep,
)
from callpulse.crm.models import DoNotCall
from callpulse.telephony.models import CallbackAttempt


class DispositionInline(admin.TabularInline[Disposition, Campaign]):
    model = Disposition
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ("name", "status", "owner", "segment", "created_at")
    list_filter = ("status", "segment")
    filter_horizontal = ("operators",)
    inlines = [DispositionInline]


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin[Disposition]):
    list_display = ("campaign", "code", "label", "reached", "retry", "do_not_call")


@admin.register(CampaignRecord)
class CampaignRecordAdmin(admin.ModelAdmin[CampaignRecord]):
    list_display = ("campaign", "phone", "name", "status", "attempts", "next_attempt_at")
    list_filter = ("status",)
    raw_id_fields = ("campaign", "client", "assigned_to", "disposition")
    search_fields = ("phone", "name")


@admin.register(CampaignAttempt)
class CampaignAttemptAdmin(admin.ModelAdmin[CampaignAttempt]):
    list_display = ("record", "operator", "started_at", "disposition", "order")
    raw_id_fields = ("record", "operator", "command", "disposition", "order")


class ScriptStepInline(admin.TabularInline[ScriptStep, Script]):
    model = ScriptStep
    extra = 0
    fk_name = "script"


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin[Script]):
    list_display = ("name", "updated_at", "updated_by")
    inlines = [ScriptStepInline]


@admin.register(ScriptStep)
class ScriptStepAdmin(admin.ModelAdmin[ScriptStep]):
    list_display = ("script", "key", "kind", "position")


@admin.register(ScriptAnswer)
class ScriptAnswerAdmin(admin.ModelAdmin[ScriptAnswer]):
    list_display = ("step", "label", "next_step")


@admin.register(ScriptResponse)
class ScriptResponseAdmin(admin.ModelAdmin[ScriptResponse]):
    list_display = ("attempt", "step_key", "value")
    raw_id_fields = ("attempt", "step", "answer")


@admin.register(DoNotCall)
class DoNotCallAdmin(admin.ModelAdmin[DoNotCall]):
    list_display = ("number", "client", "reason", "created_by", "created_at")
    search_fields = ("number",)
    raw_id_fields = ("client", "created_by")


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(admin.ModelAdmin[CallbackAttempt]):
    list_display = ("callback", "operator", "at", "result")
    raw_id_fields = ("callback", "operator", "command")
