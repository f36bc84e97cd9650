"""Workforce API: history import, jobs with progress, forecast and staffing rows, schedules and
shifts (planners edit drafts and publish; supervisors read), and every operator's own shifts.

`api_urls.py` registers ROUTES on the project router and adds URLPATTERNS.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.parsers import DepthLimitedJSONParser
from callpulse.core.permissions import role_permission, staff_user
from callpulse.core.query_params import query_id
from callpulse.workforce import selectors, services
from callpulse.workforce.models import ArrivalRecord, PlanningJob, Schedule, Shift
from callpulse.workforce.roles import PLAN_READERS, PLANNERS
from callpulse.workforce.serializers import (
    ArrivalSerializer,
    CoverageRowSerializer,
    ForecastRowSerializer,
    FromCallsSerializer,
    ImportSerializer,
    JobSerializer,
    JobStartSerializer,
    ScheduleSerializer,
    ShiftCreateSerializer,
    ShiftMoveSerializer,
    ShiftSerializer,
    SimulationRowSerializer,
    StaffingRowSerializer,
)

PlannerPermission = role_permission(read=PLAN_READERS, write=PLANNERS)


class HistoryViewSet(
    AtomicWritesMixin, mixins.ListModelMixin, viewsets.GenericViewSet[ArrivalRecord]
):
    """Arrivals per interval (the forecast's input); `?queue=` filters."""

    serializer_class = ArrivalSerializer
    permission_classes = [PlannerPermission]
    parser_classes = [DepthLimitedJSONParser, MultiPartParser, FormParser]
    queryset = ArrivalRecord.objects.none()

    def get_queryset(self) -> QuerySet[ArrivalRecord]:
        return selectors.history(self.request.query_params.get("queue", ""))

    @extend_schema(request=ImportSerializer, responses={201: None})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request) -> Response:
        """CSV `start,calls[,aht]`: as text (`csv`) or a file (`file`); all rows or none."""
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        content = upload.read() if upload is not None else data.validated_data["csv"]
        count = services.history_import_csv(
            actor=staff_user(request), content=content, queue=data.validated_data["queue"]
        )
        return Response({"imported": count}, status=status.HTTP_201_CREATED)

    @extend_schema(request=FromCallsSerializer, responses={201: None})
    @action(detail=False, methods=["post"], url_path="from-calls")
    def from_calls(self, request: Request) -> Response:
        data = FromCallsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.history_from_calls(actor=staff_user(request), **data.validated_data)
        return Response({"intervals": count}, status=status.HTTP_201_CREATED)


class JobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[PlanningJob]
):
    """Planning jobs: start one (POST), then poll it for `status` and `progress` (0..100)."""

    serializer_class = JobSerializer
    permission_classes = [PlannerPermission]
    queryset = PlanningJob.objects.none()

    def get_queryset(self) -> QuerySet[PlanningJob]:
        jobs = PlanningJob.objects.all().order_by("-created_at", "-pk")
        if kind := self.request.query_params.get("kind"):
            jobs = jobs.filter(kind=kind)
        return jobs

    @extend_schema(request=JobStartSerializer, responses={202: JobSerializer})
    def create(self, request: Request) -> Response:
        data = JobStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        params: dict[str, Any] = {
            k: v[k] for k in ("team", "time_limit_seconds", "replications") if v.get(k) is not None
        }
        job = services.job_start(
            actor=staff_user(request),
            kind=v["kind"],
            horizon_start=v.get("horizon_start"),
            days=v.get("days"),
            queue=v.get("queue", ""),
            source=v.get("source"),
            schedule=v.get("schedule"),
            params=params,
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ForecastRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="forecast-rows")
    def forecast_rows(self, request: Request, pk: str | None = None) -> Response:
        rows = self.get_object().forecast_rows.order_by("start")
        return Response(ForecastRowSerializer(rows, many=True).data)

    @extend_schema(responses=StaffingRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="staffing-rows")
    def staffing_rows(self, request: Request, pk: str | None = None) -> Response:
        rows = self.get_object().staffing_rows.order_by("start")
        return Response(StaffingRowSerializer(rows, many=True).data)

    @extend_schema(responses=SimulationRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="simulation-rows")
    def simulation_rows(self, request: Request, pk: str | None = None) -> Response:
        rows = self.get_object().simulation_rows.order_by("start")
        return Response(SimulationRowSerializer(rows, many=True).data)


class ScheduleViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Schedule],
):
    """Schedules; planners publish them (`publish`), everyone with the reading role reads."""

    serializer_class = ScheduleSerializer
    permission_classes = [PlannerPermission]
    queryset = Schedule.objects.none()

    def get_queryset(self) -> QuerySet[Schedule]:
        return selectors.schedules().order_by("-starts_on", "-pk")

    @extend_schema(request=None, responses=ScheduleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        schedule = services.schedule_publish(actor=staff_user(request), schedule=self.get_object())
        return Response(ScheduleSerializer(schedule).data)

    @extend_schema(responses=CoverageRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        rows = selectors.coverage(self.get_object())
        return Response(CoverageRowSerializer(rows, many=True).data)


class ShiftViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Shift],
):
    """Shifts of schedules (`?schedule=`); planners add, move (PATCH) and delete on drafts."""

    serializer_class = ShiftSerializer
    permission_classes = [PlannerPermission]
    queryset = Shift.objects.none()

    def get_queryset(self) -> QuerySet[Shift]:
        shifts = Shift.objects.select_related("user").order_by("starts_at", "pk")
        if (schedule := query_id(self.request, "schedule")) is not None:
            shifts = shifts.filter(schedule_id=schedule)
        return shifts

    @extend_schema(request=ShiftCreateSerializer, responses={201: ShiftSerializer})
    def create(self, request: Request) -> Response:
        data = ShiftCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shift = services.shift_add(actor=staff_user(request), **data.validated_data)
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ShiftMoveSerializer, responses=ShiftSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        data = ShiftMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shift = services.shift_move(
            actor=staff_user(request),
            shift=self.get_object(),
            starts_at=data.validated_data["starts_at"],
            user=data.validated_data.get("user"),
        )
        return Response(ShiftSerializer(shift).data)

    def perform_destroy(self, instance: Shift) -> None:
        services.shift_delete(actor=staff_user(self.request), shift=instance)


class MyShiftsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Shift]):
    """The signed-in operator's own published shifts for the next two weeks."""

    serializer_class = ShiftSerializer
    queryset = Shift.objects.none()
    pagination_class = None

    def get_queryset(self) -> QuerySet[Shift]:
        return selectors.my_shifts(staff_user(self.request), now=timezone.now())


# (prefix, viewset, basename), registered under /api/v1/
ROUTES: list[tuple[str, Any, str]] = [
    ("workforce/history", HistoryViewSet, "wfm-history"),
    ("workforce/jobs", JobViewSet, "wfm-job"),
    ("workforce/schedules", ScheduleViewSet, "wfm-schedule"),
    ("workforce/shifts", ShiftViewSet, "wfm-shift"),
    ("workforce/my-shifts", MyShiftsViewSet, "wfm-my-shift"),
]
URLPATTERNS: list[URLPattern] = []
