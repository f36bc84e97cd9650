"""API shapes for orders: lines in, explained prices out."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from callpulse.catalog.models import Product
from callpulse.crm.models import Client
from callpulse.orders.models import (
    HandOffTo,
    Offer,
    OfferSource,
    Order,
    OrderEvent,
    OrderLine,
    PaymentForm,
)


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    # In the request's language (Accept-Language): stored as codes, like routing reasons.
    explanation = serializers.ListField(
        child=serializers.CharField(), source="explanation_text", read_only=True
    )

    class Meta:
        model = OrderLine
        fields = [
            "sku",
            "name",
            "quantity",
            "base_price",
            "unit_price",
            "line_total",
            "explanation",
            "from_offer",
        ]


class OfferSerializer(serializers.ModelSerializer[Offer]):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = Offer
        fields = ["sku", "source", "result", "added_revenue", "presented_at"]


class OrderEventSerializer(serializers.ModelSerializer[OrderEvent]):
    class Meta:
        model = OrderEvent
        fields = ["from_status", "to_status", "actor", "note", "at"]


class OrderSerializer(serializers.ModelSerializer[Order]):
    lines = OrderLineSerializer(many=True, read_only=True)
    offers = OfferSerializer(many=True, read_only=True)
    history = OrderEventSerializer(many=True, read_only=True)
    price_column = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "client",
            "taken_by",
            "call",
            "status",
            "price_column",
            "currency",
            "base_total",
            "total",
            "delivery_date",
            "receiver",
            "payment_form",
            "documents",
            "carrier",
            "shipping_address",
            "arrival_date",
            "credit_override_reason",
            "accepted_at",
            "lines",
            "offers",
            "history",
        ]


class LineInputSerializer(serializers.Serializer[Any]):
    sku = serializers.SlugRelatedField(
        source="product", slug_field="sku", queryset=Product.objects.all()
    )
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)


class OrderCreateSerializer(serializers.Serializer[Any]):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    call = serializers.IntegerField(required=False, allow_null=True)
    lines = LineInputSerializer(many=True, required=False)


class LinesSerializer(serializers.Serializer[Any]):
    lines = LineInputSerializer(many=True)


class OfferInputSerializer(serializers.Serializer[Any]):
    sku = serializers.SlugRelatedField(
        source="product", slug_field="sku", queryset=Product.objects.all()
    )
    source = serializers.ChoiceField(choices=OfferSource.choices)  # type: ignore[assignment]
    accepted = serializers.BooleanField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)


class TermsSerializer(serializers.Serializer[Any]):
    delivery_date = serializers.DateField(required=False, allow_null=True)
    receiver = serializers.CharField(required=False, allow_blank=True, max_length=200)
    payment_form = serializers.ChoiceField(
        choices=PaymentForm.choices, required=False, allow_blank=True
    )
    documents = serializers.ListField(child=serializers.CharField(), required=False)
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=120)
    shipping_address = serializers.CharField(required=False, allow_blank=True, max_length=255)
    arrival_date = serializers.DateField(required=False, allow_null=True)


class AcceptSerializer(serializers.Serializer[Any]):
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


class HandOffSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=HandOffTo.choices)


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255)


class FulfilmentStepSerializer(serializers.Serializer[Any]):
    """Picked, delivered: an optional note for the history (who signed, what was short…)."""

    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ShipSerializer(FulfilmentStepSerializer):
    """Shipped: the carrier if it changed, the waybill in the note."""

    carrier = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class CandidateSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    source = serializers.CharField()  # type: ignore[assignment]
    source_label = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    fits_credit = serializers.BooleanField()
