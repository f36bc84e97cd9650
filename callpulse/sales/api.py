"""Sales plans API: plans and their decomposition, plan vs fact, targets, payouts, money.

`api_urls.py` registers ROUTES on the project router and adds URLPATTERNS. Who sees what is the
selectors' rule (`plans_visible`, `visible_rows`); who may write is the services' rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import URLPattern
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.permissions import role_permission, staff_user
from callpulse.core.query_params import query_id
from callpulse.core.roles import user_has_role
from callpulse.sales import selectors, services
from callpulse.sales.exports import payouts_xlsx
from callpulse.sales.models import Incident, MotivationScheme, SalesPlan, TargetCorrection
from callpulse.sales.motivation import plan_payouts, scheme_for
from callpulse.sales.permissions import PAYROLL_EXPORTERS, PLAN_EDITORS
from callpulse.sales.serializers import (
    CorrectionWithdrawSerializer,
    ManagerMoneySerializer,
    MotivationSchemeSerializer,
    PayoutSerializer,
    PlanNodeSerializer,
    PlanProgressSerializer,
    PlanRowSerializer,
    RedecomposeSerializer,
    SalesIncidentInputSerializer,
    SalesIncidentSerializer,
    SalesPlanCreateSerializer,
    SalesPlanSerializer,
    TargetCorrectionInputSerializer,
    TargetCorrectionSerializer,
    WeekLineSerializer,
)

MIN_YEAR, MAX_YEAR = 2000, 2100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY_PARAM = OpenApiParameter(
    "day", OpenApiTypes.DATE, description="The day to look from (default: today)."
)


def _day(request: Request, name: str = "day") -> date:
    raw = request.query_params.get(name)
    if not raw:
        return timezone.localdate()
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise serializers.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise serializers.ValidationError({name: [_("The date is out of range.")]})
    return day


class PlanViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SalesPlan],
):
    """Sales plans. Everyone lists the plans they have a share in; heads see their scope."""

    serializer_class = SalesPlanSerializer
    queryset = SalesPlan.objects.none()

    def get_queryset(self) -> QuerySet[SalesPlan]:
        plans = selectors.plans_visible(staff_user(self.request)).prefetch_related(
            "assortment_goals"
        )
        if department := self.request.query_params.get("department"):
            plans = plans.filter(department__code=department)
        if self.request.query_params.get("current") in ("1", "true"):
            today = timezone.localdate()
            plans = plans.filter(starts_on__lte=today, ends_on__gte=today)
        return plans.order_by("-starts_on", "department__name")

    @extend_schema(request=SalesPlanCreateSerializer, responses={201: SalesPlanSerializer})
    def create(self, request: Request) -> Response:
        """Create a plan for a month or a quarter and decompose it (head of sales, director)."""
        data = SalesPlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = services.plan_create(actor=staff_user(request), **values)
        return Response(SalesPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PlanNodeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def nodes(self, request: Request, pk: str | None = None) -> Response:
        """The shares of the plan the user may see (all, their team's, or their own)."""
        plan = self.get_object()
        progress = selectors.plan_progress(plan)
        rows = selectors.visible_rows(staff_user(request), progress)
        return Response(PlanNodeSerializer([r.node for r in rows if r.node], many=True).data)

    @extend_schema(request=RedecomposeSerializer, responses=PlanNodeSerializer(many=True))
    @action(detail=True, methods=["post"])
    def redecompose(self, request: Request, pk: str | None = None) -> Response:
        data = RedecomposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_redecompose(
            actor=staff_user(request), plan=self.get_object(), **data.validated_data
        )
        return Response(
            PlanNodeSerializer(plan.nodes.order_by("parent_id", "name"), many=True).data
        )

    @extend_schema(parameters=[DAY_PARAM], responses=PlanProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Plan vs fact, live: targets, run-rate forecast and traffic light for each share."""
        plan = self.get_object()
        user = staff_user(request)
        progress = selectors.plan_progress(plan, today=_day(request))
        return Response(
            PlanProgressSerializer(
                {
                    "plan": plan,
                    "today": progress.today,
                    "department": progress.department
                    if selectors.sees_whole_plan(user, plan)
                    else None,
                    "rows": selectors.visible_rows(user, progress),
                }
            ).data
        )

    @extend_schema(parameters=[DAY_PARAM], responses=PlanRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def leaderboard(self, request: Request, pk: str | None = None) -> Response:
        """People by % of plan done (the whole plan for heads; supervisors see their team)."""
        plan = self.get_object()
        user = staff_user(request)
        progress = selectors.plan_progress(plan, today=_day(request))
        visible = {id(r) for r in selectors.visible_rows(user, progress)}
        rows = [r for r in selectors.leaderboard(progress) if id(r) in visible]
        return Response(PlanRowSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("week", OpenApiTypes.DATE, description="Any day of the week.")
        ],
        responses=WeekLineSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def weekly(self, request: Request, pk: str | None = None) -> Response:
        """The weekly meeting report: the week's share of the plan and its fact per share."""
        report = selectors.weekly_report(
            self.get_object(), week_day=_day(request, "week"), rows_for=staff_user(request)
        )
        return Response(WeekLineSerializer(report.lines, many=True).data)

    def _payouts(self, request: Request, plan: SalesPlan) -> list[Any]:
        scheme = scheme_for(plan)
        if scheme is None:
            raise serializers.ValidationError(
                {"scheme": [_("No active motivation scheme applies to this department.")]}
            )
        user = staff_user(request)
        progress = selectors.plan_progress(plan, today=min(_day(request), plan.ends_on))
        payouts = plan_payouts(plan, scheme=scheme, progress=progress)
        if user_has_role(user, PAYROLL_EXPORTERS):
            return payouts
        visible = {r.user_id for r in selectors.visible_rows(user, progress)}
        return [p for p in payouts if p.user_id in visible]

    @extend_schema(parameters=[DAY_PARAM], responses=PayoutSerializer(many=True))
    @action(detail=True, methods=["get"])
    def payouts(self, request: Request, pk: str | None = None) -> Response:
        """Payout per person with one line per rule applied (as of the day, or the period end)."""
        return Response(PayoutSerializer(self._payouts(request, self.get_object()), many=True).data)

    @extend_schema(parameters=[DAY_PARAM], responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="payouts-xlsx")
    def payouts_xlsx(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The payouts for payroll (head of sales, director, finance)."""
        if not user_has_role(staff_user(request), PAYROLL_EXPORTERS):
            raise PermissionDenied
        plan = self.get_object()
        content = payouts_xlsx(plan, self._payouts(request, plan))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="payouts-{plan.department.code}-{plan.starts_on:%Y-%m}.xlsx"'
        )
        return response


class MyTargetsViewSet(viewsets.GenericViewSet[Any]):
    """My plan today: the stand-up figures of the signed-in person."""

    serializer_class = PlanRowSerializer

    @extend_schema(parameters=[DAY_PARAM], responses=PlanRowSerializer(many=True))
    def list(self, request: Request) -> Response:
        rows = [
            row for _progress, row in selectors.my_rows(staff_user(request), today=_day(request))
        ]
        return Response(PlanRowSerializer(rows, many=True).data)


class CorrectionViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[TargetCorrection],
):
    """Targets fixed by hand by the head of sales, with their reasons (audited)."""

    serializer_class = TargetCorrectionSerializer
    queryset = TargetCorrection.objects.none()

    def get_queryset(self) -> QuerySet[TargetCorrection]:
        user = staff_user(self.request)
        corrections = TargetCorrection.objects.select_related("node")
        if not selectors.reads_all(user):
            corrections = corrections.filter(node__user=user)
        if (plan := query_id(self.request, "plan")) is not None:
            corrections = corrections.filter(node__plan_id=plan)
        return corrections.order_by("day", "pk")

    @extend_schema(
        request=TargetCorrectionInputSerializer, responses={201: TargetCorrectionSerializer}
    )
    def create(self, request: Request) -> Response:
        data = TargetCorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.target_correct(actor=staff_user(request), **data.validated_data)
        return Response(TargetCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CorrectionWithdrawSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        data = CorrectionWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.target_correction_remove(
            actor=staff_user(request), correction=self.get_object(), **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SchemeViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[MotivationScheme],
):
    """Motivation schemes: everyone reads the rules; the head of sales and the director set them."""

    serializer_class = MotivationSchemeSerializer
    queryset = MotivationScheme.objects.select_related("department").order_by("name")
    permission_classes = [role_permission(write=PLAN_EDITORS)]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.scheme_save(
            actor=staff_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.scheme_save(
            actor=staff_user(self.request), scheme=serializer.instance, **serializer.validated_data
        )


class IncidentViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Incident],
):
    """Order errors and justified complaints charged to people: editors see all, others theirs."""

    serializer_class = SalesIncidentSerializer
    queryset = Incident.objects.none()

    def get_queryset(self) -> QuerySet[Incident]:
        user = staff_user(self.request)
        incidents = Incident.objects.select_related("user")
        if not selectors.reads_all(user):
            incidents = incidents.filter(user=user)
        return incidents.order_by("-day", "-pk")

    @extend_schema(request=SalesIncidentInputSerializer, responses={201: SalesIncidentSerializer})
    def create(self, request: Request) -> Response:
        data = SalesIncidentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_record(actor=staff_user(request), **data.validated_data)
        return Response(SalesIncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Incident) -> None:
        services.incident_delete(actor=staff_user(self.request), incident=instance)


class MoneyViewSet(viewsets.GenericViewSet[Any]):
    """Control of money: payments received, receivables and overdue clients per manager."""

    serializer_class = ManagerMoneySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description="Default: the month's start."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Default: today."),
        ],
        responses=ManagerMoneySerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        until = _day(request, "until")
        since = (
            _day(request, "since") if request.query_params.get("since") else until.replace(day=1)
        )
        rows = selectors.money_control(
            managers=selectors.managers_visible(staff_user(request)), start=since, end=until
        )
        return Response(ManagerMoneySerializer(rows, many=True).data)


# (prefix, viewset, basename), registered under /api/v1/
ROUTES: list[tuple[str, Any, str]] = [
    ("sales/plans", PlanViewSet, "sales-plan"),
    ("sales/my-targets", MyTargetsViewSet, "sales-my-targets"),
    ("sales/corrections", CorrectionViewSet, "sales-correction"),
    ("sales/schemes", SchemeViewSet, "sales-scheme"),
    ("sales/incidents", IncidentViewSet, "sales-incident"),
    ("sales/money", MoneyViewSet, "sales-money"),
]
URLPATTERNS: list[URLPattern] = []
