"""API shapes for the catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from callpulse.catalog.models import Price, PriceColumn, PriceList, Product


class ProductSerializer(serializers.ModelSerializer[Product]):
    category_name = serializers.CharField(source="category.name", read_only=True, default=None)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "unit",
            "category",
            "category_name",
            "pack_size",
            "new_since",
            "promoted_from",
            "promoted_to",
            "promotion_note",
            "is_active",
        ]
        # The table's CHECK constraints, as 400s naming the field rather than IntegrityErrors.
        extra_kwargs = {"pack_size": {"min_value": Decimal("0.001")}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name: str) -> Any:
            return attrs.get(name, getattr(self.instance, name, None))

        starts, ends = current("promoted_from"), current("promoted_to")
        if starts is not None and ends is not None and ends < starts:
            raise serializers.ValidationError(
                {"promoted_to": [_("The promotion cannot end before it starts.")]}
            )
        return attrs


class PriceColumnSerializer(serializers.ModelSerializer[PriceColumn]):
    class Meta:
        model = PriceColumn
        fields = ["id", "code", "name", "sort_order", "min_order_total", "client_types"]


class PriceSerializer(serializers.ModelSerializer[Price]):
    sku = serializers.CharField(source="product.sku", read_only=True)
    column_code = serializers.CharField(source="column.code", read_only=True)

    class Meta:
        model = Price
        fields = ["sku", "product", "column", "column_code", "amount"]


class PriceListSerializer(serializers.ModelSerializer[PriceList]):
    class Meta:
        model = PriceList
        fields = ["id", "name", "currency", "valid_from", "is_active"]
