"""API shapes for the catalog."""

from __future__ import annotations

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
