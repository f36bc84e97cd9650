"""Admin for orders (read mostly: orders change through the order services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from callpulse.orders.models import HandOff, Offer, Order, OrderEvent, OrderLine


class LineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    fields = (
        "product",
        "quantity",
        "base_price",
        "unit_price",
        "line_total",
        "explanation",
        "from_offer",
    )
    readonly_fields = fields
    can_delete = False


class OfferInline(admin.TabularInline[Offer, Order]):
    model = Offer
    extra = 0
    fields = ("product", "source", "result", "added_revenue", "presented_at")
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline[OrderEvent, Order]):
    model = OrderEvent
    extra = 0
    fields = ("at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ("number", "client", "status", "total", "taken_by", "accepted_at")
    list_filter = ("status", "payment_form")
    search_fields = ("number", "client__name")
    raw_id_fields = ("client", "taken_by", "call", "credit_override_by")
    readonly_fields = ("number", "status", "total", "base_total", "accepted_at", "price_column")
    inlines = [LineInline, OfferInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are taken on the desk or through the API


@admin.register(HandOff)
class HandOffAdmin(admin.ModelAdmin[HandOff]):
    list_display = ("created_at", "order", "to", "assignee", "resolved_at")
    raw_id_fields = ("order", "assignee", "created_by")


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin[Offer]):
    list_display = ("presented_at", "order", "product", "source", "result", "added_revenue")
    list_filter = ("source", "result")
    raw_id_fields = ("order", "product", "presented_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin[OrderLine]):
    list_display = ("order", "product", "quantity", "unit_price", "line_total")
    raw_id_fields = ("order", "product")


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin[OrderEvent]):
    list_display = ("at", "order", "from_status", "to_status", "actor")
    raw_id_fields = ("order", "actor")
