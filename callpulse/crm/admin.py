"""Admin for clients. Debt figures are read-only: they follow from the credit history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from callpulse.crm.models import Client, ClientType, Contact, CreditEvent, Phone


@admin.register(ClientType)
class ClientTypeAdmin(admin.ModelAdmin[ClientType]):
    list_display = ("name", "code", "is_key", "sort_order")
    list_editable = ("sort_order",)


class PhoneInline(admin.TabularInline[Phone, Client]):
    model = Phone
    extra = 0


class ContactInline(admin.TabularInline[Contact, Client]):
    model = Contact
    extra = 0


class CreditEventInline(admin.TabularInline[CreditEvent, Client]):
    model = CreditEvent
    extra = 0
    fields = ("occurred_on", "kind", "amount", "due_on", "document", "note", "created_by")
    readonly_fields = fields
    can_delete = False
    ordering = ("-occurred_on",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorded through the credit service, which restates the debt


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = (
        "name",
        "client_type",
        "manager",
        "region",
        "debt",
        "overdue_debt",
        "credit_limit",
    )
    list_filter = ("client_type", "region", "kind", "is_active")
    search_fields = ("name", "phones__number", "tax_id")
    autocomplete_fields = ("manager",)
    readonly_fields = (
        "debt",
        "overdue_debt",
        "overdue_since",
        "receivables_as_of",
        "last_order_at",
    )
    inlines = [PhoneInline, ContactInline, CreditEventInline]
    list_select_related = ("client_type", "manager")


@admin.register(Phone)
class PhoneAdmin(admin.ModelAdmin[Phone]):
    list_display = ("number", "client", "kind")
    search_fields = ("number",)
    raw_id_fields = ("client", "contact")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ("full_name", "client", "position", "is_primary")
    search_fields = ("full_name",)
    raw_id_fields = ("client",)


@admin.register(CreditEvent)
class CreditEventAdmin(admin.ModelAdmin[CreditEvent]):
    list_display = ("occurred_on", "client", "kind", "amount", "due_on", "document")
    list_filter = ("kind",)
    raw_id_fields = ("client",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
