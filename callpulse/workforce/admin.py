"""Workforce: admin (every model, read mostly; the planner's screens are the place to work)."""

from __future__ import annotations

from django.contrib import admin

from callpulse.workforce.models import (
    AgentContract,
    ArrivalRecord,
    CoverageRow,
    ForecastRow,
    PlanningJob,
    PlanningParameters,
    Schedule,
    Shift,
    ShiftTemplate,
    SimulationRow,
    SpecialDay,
    StaffingRow,
)


@admin.register(ArrivalRecord)
class ArrivalRecordAdmin(admin.ModelAdmin[ArrivalRecord]):
    list_display = ["start", "queue", "calls", "aht_seconds", "interval_minutes", "source"]
    list_filter = ["queue", "source"]
    date_hierarchy = "start"


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin[SpecialDay]):
    list_display = ["day", "name"]


@admin.register(PlanningParameters)
class PlanningParametersAdmin(admin.ModelAdmin[PlanningParameters]):
    list_display = ["interval_minutes", "target_sl", "answer_time_seconds", "staffing_model"]


@admin.register(AgentContract)
class AgentContractAdmin(admin.ModelAdmin[AgentContract]):
    list_display = ["user", "weekly_minutes"]
    raw_id_fields = ["user"]


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin[ShiftTemplate]):
    list_display = ["name", "start_time", "length_minutes", "cost", "is_active"]
    list_filter = ["is_active"]


@admin.register(PlanningJob)
class PlanningJobAdmin(admin.ModelAdmin[PlanningJob]):
    list_display = ["pk", "kind", "status", "progress", "horizon_start", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["source", "schedule", "created_by"]


@admin.register(ForecastRow)
class ForecastRowAdmin(admin.ModelAdmin[ForecastRow]):
    list_display = ["job", "start", "calls", "aht_seconds"]
    raw_id_fields = ["job"]


@admin.register(StaffingRow)
class StaffingRowAdmin(admin.ModelAdmin[StaffingRow]):
    list_display = ["job", "start", "calls", "raw_agents", "agents", "service_level"]
    raw_id_fields = ["job"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ["name", "status", "starts_on", "days", "published_at"]
    list_filter = ["status"]
    raw_id_fields = ["staffing_job", "created_by", "published_by"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin[Shift]):
    list_display = ["user", "schedule", "starts_at", "ends_at", "template_name"]
    raw_id_fields = ["user", "schedule"]


@admin.register(CoverageRow)
class CoverageRowAdmin(admin.ModelAdmin[CoverageRow]):
    list_display = ["schedule", "start", "required", "scheduled"]
    raw_id_fields = ["schedule"]


@admin.register(SimulationRow)
class SimulationRowAdmin(admin.ModelAdmin[SimulationRow]):
    list_display = ["job", "start", "agents", "service_level", "asa_seconds", "abandon_rate"]
    raw_id_fields = ["job"]
