"""API shapes for sales plans: inputs checked here, rules in services, figures from selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from callpulse.core.models import Department, User
from callpulse.orders.models import Order
from callpulse.sales.models import (
    Incident,
    IncidentKind,
    MotivationScheme,
    PeriodKind,
    PlanAssortment,
    PlanBasis,
    PlanNode,
    Rhythm,
    SalesPlan,
    SplitMethod,
    TargetCorrection,
)


def money_field(**kwargs: Any) -> serializers.DecimalField:
    """An amount of money as the models store it (14 digits, to the kopeck)."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class AssortmentGoalSerializer(serializers.ModelSerializer[PlanAssortment]):
    class Meta:
        model = PlanAssortment
        fields = ["id", "name", "category", "new_products", "amount"]


class SalesPlanSerializer(serializers.ModelSerializer[SalesPlan]):
    department_code = serializers.CharField(source="department.code", read_only=True)
    assortment_goals = AssortmentGoalSerializer(many=True, read_only=True)

    class Meta:
        model = SalesPlan
        fields = [
            "id",
            "department",
            "department_code",
            "period_kind",
            "starts_on",
            "ends_on",
            "basis",
            "method",
            "rhythm",
            "amount",
            "volume",
            "currency",
            "note",
            "assortment_goals",
        ]


class PlanNodeSerializer(serializers.ModelSerializer[PlanNode]):
    class Meta:
        model = PlanNode
        fields = [
            "id",
            "parent",
            "kind",
            "team",
            "user",
            "name",
            "weight",
            "amount",
            "volume",
            "assortment",
        ]


class AssortmentInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    category = serializers.IntegerField(required=False, allow_null=True)
    new_products = serializers.BooleanField(required=False, default=False)
    amount = money_field()


class SalesPlanCreateSerializer(serializers.Serializer[Any]):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    day = serializers.DateField(help_text="Any day of the month or quarter.")
    amount = money_field()
    basis = serializers.ChoiceField(choices=PlanBasis.choices, default=PlanBasis.ORDERS)
    method = serializers.ChoiceField(choices=SplitMethod.choices, default=SplitMethod.EQUAL)
    rhythm = serializers.ChoiceField(choices=Rhythm.choices, default=Rhythm.DAILY)
    volume = serializers.DecimalField(
        max_digits=14, decimal_places=3, required=False, allow_null=True
    )
    weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4),
        required=False,
        help_text='For "manual": {"team:<id>": w, "user:<id>": w} for every share.',
    )
    assortment = AssortmentInputSerializer(many=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class RedecomposeSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=SplitMethod.choices)
    amount = money_field(required=False, allow_null=True)
    weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4), required=False
    )


class PlanRowSerializer(serializers.Serializer[Any]):
    """One line of plan vs fact."""

    node = serializers.IntegerField(source="node_id", allow_null=True)
    user = serializers.IntegerField(source="user_id", allow_null=True)
    kind = serializers.CharField()
    name = serializers.CharField()
    plan = money_field(source="amount")
    fact = money_field()
    fact_today = money_field()
    expected = money_field(help_text="Plan to date (through yesterday).")
    remaining = money_field()
    pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    forecast = money_field(allow_null=True)
    forecast_pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    light = serializers.CharField()
    today_target = money_field()
    week_target = money_field(help_text="Asked from today to Sunday (weekly reporting).")
    corrected_today = serializers.BooleanField()
    yesterday = serializers.DateField(allow_null=True)
    yesterday_target = money_field()
    yesterday_fact = money_field()
    days_left = serializers.IntegerField()
    volume_plan = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    volume_fact = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)


class PlanProgressSerializer(serializers.Serializer[Any]):
    plan = SalesPlanSerializer()
    today = serializers.DateField()
    department = PlanRowSerializer(allow_null=True)
    rows = PlanRowSerializer(many=True)


class TargetCorrectionInputSerializer(serializers.Serializer[Any]):
    node = serializers.PrimaryKeyRelatedField(queryset=PlanNode.objects.all())
    day = serializers.DateField()
    amount = money_field()
    reason = serializers.CharField(max_length=255)


class TargetCorrectionSerializer(serializers.ModelSerializer[TargetCorrection]):
    class Meta:
        model = TargetCorrection
        fields = ["id", "node", "day", "amount", "reason", "created_by", "created_at"]


class CorrectionWithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255)


class MotivationSchemeSerializer(serializers.ModelSerializer[MotivationScheme]):
    class Meta:
        model = MotivationScheme
        fields = [
            "id",
            "name",
            "department",
            "is_active",
            "target_bonus",
            "threshold_pct",
            "threshold_share_pct",
            "accelerator",
            "cap_pct",
            "record_day_bonus",
            "record_month_bonus",
            "penalty_per_point",
            "collective_min_pct",
            "collective_reduction_pct",
            "promotion_pct",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # uniqueness is the service's rule (a 400 naming the field), not the serializer's
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}


class SalesIncidentSerializer(serializers.ModelSerializer[Incident]):
    # plain text out (the choices are documented once, on the input)
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "user",
            "kind",
            "kind_label",
            "day",
            "amount",
            "points",
            "note",
            "order",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class SalesIncidentInputSerializer(serializers.Serializer[Any]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    day = serializers.DateField()
    amount = money_field(required=False, default=Decimal("0.00"))
    points = serializers.IntegerField(required=False, default=0, min_value=0, max_value=1000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)
    order = serializers.PrimaryKeyRelatedField(
        queryset=Order.objects.all(), required=False, allow_null=True
    )


class PayoutLineSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField()
    text = serializers.CharField()
    amount = money_field()


class PayoutSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField()
    plan = money_field(source="plan_amount")
    fact = money_field()
    pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    bonus = money_field()
    penalties = money_field()
    total = money_field()
    promotion = serializers.BooleanField()
    lines = PayoutLineSerializer(many=True)


class WeekLineSerializer(serializers.Serializer[Any]):
    row = PlanRowSerializer()
    week_plan = money_field()
    week_fact = money_field()
    week_pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class ManagerMoneySerializer(serializers.Serializer[Any]):
    manager = serializers.IntegerField(source="manager.pk")
    name = serializers.CharField(source="manager.__str__")
    payments = money_field()
    receivables = money_field()
    overdue = money_field()
    overdue_clients = serializers.SerializerMethodField()

    def get_overdue_clients(self, obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "name": c.name,
                "overdue_debt": str(c.overdue_debt),
                "overdue_since": c.overdue_since.isoformat() if c.overdue_since else None,
            }
            for c in obj.overdue_clients
        ]
