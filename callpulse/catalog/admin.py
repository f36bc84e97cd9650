"""Admin for the catalog: products, columns, price lists, discount rules, warehouse days off."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

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
from callpulse.catalog.services import catalog_import_prices, catalog_import_products
from callpulse.catalog.transfer import ImportReport, UnreadableFile, read_table, table_bytes
from callpulse.catalog.transfer.tables import CONTENT_TYPES, detect_format
from callpulse.core.admin_site import RoleRuleAdmin
from callpulse.core.models import User
from callpulse.core.roles import CATALOG_EDITORS, user_has_role


class CatalogAdmin(RoleRuleAdmin):
    """Catalog pages answer CATALOG_EDITORS: the head of sales and the director, not staff."""

    role_rule = CATALOG_EDITORS


class DocumentInline(CatalogAdmin, admin.TabularInline[ProductDocument, Product]):
    model = ProductDocument
    extra = 0


class ProductAdmin(CatalogAdmin, admin.ModelAdmin[Product]):
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
class CategoryAdmin(CatalogAdmin, admin.ModelAdmin[Category]):
    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(PriceColumn)
class PriceColumnAdmin(CatalogAdmin, admin.ModelAdmin[PriceColumn]):
    list_display = ("name", "code", "sort_order", "min_order_total")
    filter_horizontal = ("client_types",)


class PriceInline(CatalogAdmin, admin.TabularInline[Price, PriceList]):
    model = Price
    extra = 0
    raw_id_fields = ("product",)


@admin.register(PriceList)
class PriceListAdmin(CatalogAdmin, admin.ModelAdmin[PriceList]):
    list_display = ("name", "currency", "valid_from", "is_active")


@admin.register(Price)
class PriceAdmin(CatalogAdmin, admin.ModelAdmin[Price]):
    list_display = ("price_list", "product", "column", "amount")
    list_filter = ("price_list", "column")
    search_fields = ("product__sku", "product__name")
    raw_id_fields = ("product",)


@admin.register(DiscountRule)
class DiscountRuleAdmin(CatalogAdmin, admin.ModelAdmin[DiscountRule]):
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
class TraditionalProductAdmin(CatalogAdmin, admin.ModelAdmin[TraditionalProduct]):
    list_display = ("client_type", "product")
    list_filter = ("client_type",)
    raw_id_fields = ("product",)


@admin.register(ClientPriceAgreement)
class ClientPriceAgreementAdmin(CatalogAdmin, admin.ModelAdmin[ClientPriceAgreement]):
    list_display = ("client", "column", "valid_from", "valid_to")
    raw_id_fields = ("client",)


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(CatalogAdmin, admin.ModelAdmin[NonWorkingDay]):
    list_display = ("day", "note")


@admin.register(ProductDocument)
class ProductDocumentAdmin(CatalogAdmin, admin.ModelAdmin[ProductDocument]):
    list_display = ("title", "product")
    raw_id_fields = ("product",)


# --- Import of products and prices (CSV/XLSX) from the product list ------------------------------

_SHOWN_REJECTIONS = 200


class CatalogImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"), choices=[("products", _("Products")), ("prices", _("Prices"))]
    )
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8, “;” or “,”) or XLSX."))
    price_list = forms.CharField(
        label=_("Price list"),
        required=False,
        max_length=120,
        help_text=_("Prices: the price list's name; created when absent."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_("Prices: the new price list's start date (YYYY-MM-DD or DD.MM.YYYY)."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"), required=False, help_text=_("Check every row, write nothing.")
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data and data.get("kind") == "prices" and not data.get("price_list"):
            self.add_error("price_list", _("Name the price list to import prices into."))
        return data


class ProductImportAdmin(ProductAdmin):
    """The product list with an "Import CSV/XLSX" page for those who edit the catalog."""

    def get_urls(self) -> list[URLPattern]:
        page = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="catalog_product_import",
        )
        return [page, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        can_import = user_has_role(request.user, CATALOG_EDITORS)
        return super().changelist_view(request, {**(extra_context or {}), "can_import": can_import})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user_has_role(user, CATALOG_EDITORS):
            raise PermissionDenied
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        report: ImportReport | None = None
        rejected_href = rejected_name = ""
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                fmt = detect_format(upload.name, upload.read(8))
                upload.seek(0)
                table = read_table(upload, fmt=fmt)
                if data["kind"] == "products":
                    report = catalog_import_products(
                        actor=user, rows=table, dry_run=data["dry_run"]
                    )
                else:
                    report = catalog_import_prices(
                        actor=user,
                        rows=table,
                        price_list_name=data["price_list"],
                        valid_from=data["valid_from"],
                        dry_run=data["dry_run"],
                    )
            except UnreadableFile as exc:
                form.add_error("file", str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            except DatabaseError as exc:
                form.add_error(
                    None, _("The database refused the import; nothing was written: %s") % exc
                )
            if report is not None and report.rejected:
                encoded = base64.b64encode(table_bytes(report.rejected_table(), fmt)).decode()
                rejected_href = f"data:{CONTENT_TYPES[fmt]};base64,{encoded}"
                rejected_name = f"rejected-{Path(upload.name).stem}.{fmt}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import products or prices"),
            "form": form,
            "codes": ", ".join(PriceColumn.objects.values_list("code", flat=True)),
            "report": report,
            "shown_rejections": report.rejected_rows[:_SHOWN_REJECTIONS] if report else [],
            "hidden_rejections": max(0, report.rejected - _SHOWN_REJECTIONS) if report else 0,
            "rejected_href": rejected_href,
            "rejected_name": rejected_name,
        }
        return TemplateResponse(request, "admin/catalog/product/import.html", context)


admin.site.register(Product, ProductImportAdmin)
