"""API shapes for workforce planning."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from callpulse.core.models import User
from callpulse.workforce.models import (
    ArrivalRecord,
    CoverageRow,
    ForecastRow,
    JobKind,
    PlanningJob,
    Schedule,
    Shift,
    ShiftTemplate,
    SimulationRow,
    StaffingRow,
)


class ArrivalSerializer(serializers.ModelSerializer[ArrivalRecord]):
    class Meta:
        model = ArrivalRecord
        fields = ["id", "queue", "start", "interval_minutes", "calls", "aht_seconds", "source"]


class ImportSerializer(serializers.Serializer[Any]):
    csv = serializers.CharField(required=False, trim_whitespace=False)
    file = serializers.FileField(required=False)
    queue = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("csv") and not attrs.get("file"):
            raise serializers.ValidationError({"csv": "Send the CSV text or a file."})
        return attrs


class FromCallsSerializer(serializers.Serializer[Any]):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    queue = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")


class JobSerializer(serializers.ModelSerializer[PlanningJob]):
    class Meta:
        model = PlanningJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "queue",
            "horizon_start",
            "horizon_days",
            "source",
            "schedule",
            "params",
            "result",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]


class JobStartSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=JobKind.choices)
    horizon_start = serializers.DateField(required=False, allow_null=True)
    days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=28)
    queue = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=PlanningJob.objects.all(), required=False, allow_null=True
    )
    schedule = serializers.PrimaryKeyRelatedField(
        queryset=Schedule.objects.all(), required=False, allow_null=True
    )
    team = serializers.IntegerField(required=False, allow_null=True)
    time_limit_seconds = serializers.FloatField(required=False, min_value=0.5, max_value=600)
    replications = serializers.IntegerField(required=False, min_value=2, max_value=500)


class ForecastRowSerializer(serializers.ModelSerializer[ForecastRow]):
    class Meta:
        model = ForecastRow
        fields = ["start", "calls", "aht_seconds"]


class StaffingRowSerializer(serializers.ModelSerializer[StaffingRow]):
    class Meta:
        model = StaffingRow
        fields = [
            "start",
            "calls",
            "aht_seconds",
            "raw_agents",
            "agents",
            "service_level",
            "asa_seconds",
            "occupancy",
            "abandon_rate",
        ]


class SimulationRowSerializer(serializers.ModelSerializer[SimulationRow]):
    class Meta:
        model = SimulationRow
        fields = [
            "start",
            "calls",
            "agents",
            "service_level",
            "service_level_low",
            "service_level_high",
            "asa_seconds",
            "abandon_rate",
            "occupancy",
        ]


class CoverageRowSerializer(serializers.ModelSerializer[CoverageRow]):
    class Meta:
        model = CoverageRow
        fields = ["start", "required", "scheduled"]


class ScheduleSerializer(serializers.ModelSerializer[Schedule]):
    class Meta:
        model = Schedule
        fields = [
            "id",
            "name",
            "status",
            "starts_on",
            "days",
            "interval_minutes",
            "staffing_job",
            "solver_status",
            "created_at",
            "published_at",
            "published_by",
        ]


class ShiftSerializer(serializers.ModelSerializer[Shift]):
    user_name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "schedule",
            "user",
            "user_name",
            "template_name",
            "starts_at",
            "ends_at",
            "breaks",
            "note",
        ]


class ShiftCreateSerializer(serializers.Serializer[Any]):
    schedule = serializers.PrimaryKeyRelatedField(queryset=Schedule.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    template = serializers.SlugRelatedField(
        slug_field="name",
        queryset=ShiftTemplate.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )


class ShiftMoveSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
