"""Admin for sales plans (read mostly: plans are decomposed and corrected by the sales services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from callpulse.sales.models import (
    Incident,
    MotivationScheme,
    PlanAssortment,
    PlanNode,
    SalesPlan,
    TargetCorrection,
)


class NodeInline(admin.TabularInline[PlanNode, SalesPlan]):
    model = PlanNode
    extra = 0
    fields = ("name", "kind", "parent", "weight", "amount", "volume")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssortmentInline(admin.TabularInline[PlanAssortment, SalesPlan]):
    model = PlanAssortment
    extra = 0
    fields = ("name", "category", "new_products", "amount")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SalesPlan)
class SalesPlanAdmin(admin.ModelAdmin[SalesPlan]):
    """Plans are created and split by the sales services (the sums must stay exact)."""

    list_display = ("department", "period_kind", "starts_on", "ends_on", "basis", "amount")
    list_filter = ("period_kind", "basis", "department")
    readonly_fields = ("amount", "volume", "method", "created_by", "created_at")
    inlines = (AssortmentInline, NodeInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PlanNode)
class PlanNodeAdmin(admin.ModelAdmin[PlanNode]):
    list_display = ("name", "kind", "plan", "amount", "weight")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("plan", "parent", "kind", "team", "user", "weight", "amount", "volume")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PlanAssortment)
class PlanAssortmentAdmin(admin.ModelAdmin[PlanAssortment]):
    list_display = ("name", "plan", "category", "new_products", "amount")


@admin.register(TargetCorrection)
class TargetCorrectionAdmin(admin.ModelAdmin[TargetCorrection]):
    list_display = ("node", "day", "amount", "reason", "created_by", "created_at")
    readonly_fields = ("node", "day", "amount", "reason", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Changes go through the sales screens (checked and audited); the admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MotivationScheme)
class MotivationSchemeAdmin(ReadOnlyAdmin):
    list_display = ("name", "department", "is_active", "target_bonus", "threshold_pct")
    list_filter = ("is_active",)


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "day", "amount", "points", "note")
    list_filter = ("kind",)
