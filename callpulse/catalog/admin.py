"""Admin for the catalog: products, columns, price lists, discount rules, warehouse days off."""

from __future__ import annotations

from django.contrib import admin

from callpulse.catalog.models import (
    Category,
    ClientPriceAgreement,
    DiscountRule,
    NonWorkingDay,
    Price,
    PriceColumn,
    PriceList,
    Product,
    ProductDocument,
    TraditionalProduct,
)


class DocumentInline(admin.TabularInline[ProductDocument, Product]):
    model = ProductDocument
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = (
        "sku",
        "name",
        "category",
        "unit",
        "pack_size",
        "new_since",
        "promoted_to",
        "is_active",
    )
    list_filter = ("category", "is_active", "unit")
    search_fields = ("sku", "name")
    inlines = [DocumentInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(PriceColumn)
class PriceColumnAdmin(admin.ModelAdmin[PriceColumn]):
    list_display = ("name", "code", "sort_order", "min_order_total")
    filter_horizontal = ("client_types",)


class PriceInline(admin.TabularInline[Price, PriceList]):
    model = Price
    extra = 0
    raw_id_fields = ("product",)


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin[PriceList]):
    list_display = ("name", "currency", "valid_from", "is_active")


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin[Price]):
    list_display = ("price_list", "product", "column", "amount")
    list_filter = ("price_list", "column")
    search_fields = ("product__sku", "product__name")
    raw_id_fields = ("product",)


@admin.register(DiscountRule)
class DiscountRuleAdmin(admin.ModelAdmin[DiscountRule]):
    list_display = (
        "position",
        "name",
        "kind",
        "percent",
        "threshold",
        "valid_from",
        "valid_to",
        "is_active",
    )
    list_display_links = ("name",)
    filter_horizontal = ("products", "categories", "client_types")


@admin.register(TraditionalProduct)
class TraditionalProductAdmin(admin.ModelAdmin[TraditionalProduct]):
    list_display = ("client_type", "product")
    list_filter = ("client_type",)
    raw_id_fields = ("product",)


@admin.register(ClientPriceAgreement)
class ClientPriceAgreementAdmin(admin.ModelAdmin[ClientPriceAgreement]):
    list_display = ("client", "column", "valid_from", "valid_to")
    raw_id_fields = ("client",)


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin[NonWorkingDay]):
    list_display = ("day", "note")


@admin.register(ProductDocument)
class ProductDocumentAdmin(admin.ModelAdmin[ProductDocument]):
    list_display = ("title", "product")
    raw_id_fields = ("product",)
