"""API shapes for clients, their numbers, contacts and credit history."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from callpulse.core.models import User
from callpulse.core.phones import format_phone
from callpulse.core.validators import validate_multiline, validate_single_line
from callpulse.crm.models import (
    Client,
    ClientKind,
    ClientType,
    Contact,
    CreditEvent,
    CreditEventKind,
    Phone,
    PhoneKind,
)


class ClientTypeSerializer(serializers.ModelSerializer[ClientType]):
    class Meta:
        model = ClientType
        fields = ["id", "code", "name", "is_key", "sort_order"]


class PhoneSerializer(serializers.ModelSerializer[Phone]):
    display = serializers.SerializerMethodField()

    class Meta:
        model = Phone
        fields = ["number", "kind", "display"]

    def get_display(self, phone: Phone) -> str:
        return format_phone(phone.number)


class ContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ["id", "full_name", "position", "email", "is_primary"]


class ClientOutputSerializer(serializers.ModelSerializer[Client]):
    type: serializers.SlugRelatedField[ClientType] = serializers.SlugRelatedField(
        source="client_type", slug_field="code", read_only=True
    )
    type_name = serializers.CharField(source="client_type.name", read_only=True)
    manager_name = serializers.SerializerMethodField()
    phones = PhoneSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    credit_status = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "kind",
            "name",
            "type",
            "type_name",
            "manager",
            "manager_name",
            "phones",
            "contacts",
            "region",
            "timezone",
            "address",
            "email",
            "tax_id",
            "credit_limit",
            "debt",
            "overdue_debt",
            "overdue_since",
            "receivables_as_of",
            "credit_status",
            "last_order_at",
            "is_active",
        ]

    def get_manager_name(self, client: Client) -> str | None:
        return str(client.manager) if client.manager else None

    def get_credit_status(self, client: Client) -> str:
        """`overdue`, `over_limit` or `ok`: red on the card for the first two."""
        if client.overdue_debt > 0:
            return "overdue"
        if client.debt > client.credit_limit:
            return "over_limit"
        return "ok"


class PhoneInputSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=PhoneKind.choices, default=PhoneKind.WORK)


class ContactInputSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=200, validators=[validate_single_line])
    position = serializers.CharField(
        max_length=120, required=False, allow_blank=True, validators=[validate_single_line]
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    is_primary = serializers.BooleanField(default=False)


class ClientInputSerializer(serializers.Serializer[Any]):
    """A client card as written by the API; numbers come in any common form."""

    kind = serializers.ChoiceField(choices=ClientKind.choices, required=False)
    name = serializers.CharField(max_length=200, validators=[validate_single_line])
    type = serializers.SlugRelatedField(
        source="client_type", slug_field="code", queryset=ClientType.objects.all()
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    phones = PhoneInputSerializer(many=True, required=False)
    contacts = ContactInputSerializer(many=True, required=False)
    region = serializers.CharField(
        max_length=80, required=False, allow_blank=True, validators=[validate_single_line]
    )
    timezone = serializers.CharField(max_length=64, required=False)
    address = serializers.CharField(
        max_length=255, required=False, allow_blank=True, validators=[validate_single_line]
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    tax_id = serializers.CharField(max_length=20, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, validators=[validate_multiline])
    credit_limit = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False
    )
    is_active = serializers.BooleanField(required=False)


class CreditEventOutputSerializer(serializers.ModelSerializer[CreditEvent]):
    class Meta:
        model = CreditEvent
        fields = ["id", "kind", "amount", "occurred_on", "due_on", "document", "note", "created_by"]


class CreditEventInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CreditEventKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    occurred_on = serializers.DateField()
    due_on = serializers.DateField(required=False, allow_null=True)
    document = serializers.CharField(max_length=60, required=False, allow_blank=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)
