"""The reads behind export: products and a price list's prices as tables the importer reads back
unchanged (same headers, ISO dates, SKUs as text)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from callpulse.catalog.models import Price, PriceColumn, PriceList, Product
from callpulse.catalog.transfer.columns import PRODUCT_COLUMNS
from callpulse.catalog.transfer.tables import SourceRow, Table


def _plain(number: Decimal) -> Decimal:
    """1.000 → 1, 0.250 → 0.25 (never 1E+1)."""
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def products_table() -> Table:
    """Every product (inactive too), by SKU, in the products file's columns."""
    table = Table(header=list(PRODUCT_COLUMNS))
    products = Product.objects.select_related("category").order_by("sku")
    for number, product in enumerate(products.iterator(chunk_size=2000), start=2):
        values: dict[str, object] = {
            "sku": product.sku,
            "name": product.name,
            "unit": product.unit,
            "category": product.category.name if product.category else None,
            "pack_size": _plain(product.pack_size),
            "new_since": product.new_since,
            "promoted_from": product.promoted_from,
            "promoted_to": product.promoted_to,
            "promotion_note": product.promotion_note,
            "active": product.is_active,
        }
        table.rows.append(SourceRow(number=number, values=values))
    return table


def prices_table(price_list: PriceList) -> Table:
    """SKU, then one column per price column code; a row per product priced in the list."""
    codes = list(PriceColumn.objects.order_by("sort_order", "code").values_list("code", flat=True))
    by_sku: dict[str, dict[str, object]] = defaultdict(dict)
    prices = (
        Price.objects.filter(price_list=price_list)
        .order_by("product__sku")
        .values_list("product__sku", "column__code", "amount")
    )
    for sku, code, amount in prices.iterator(chunk_size=5000):
        by_sku[sku][code] = amount
    table = Table(header=["sku", *codes])
    for number, (sku, amounts) in enumerate(sorted(by_sku.items()), start=2):
        table.rows.append(SourceRow(number=number, values={"sku": sku, **amounts}))
    return table


def find_price_list(name: str, valid_from: date | None = None) -> PriceList | None:
    """The price list of this name (and start date, when given); two of one name is an error."""
    price_lists = PriceList.objects.filter(name=name.strip())
    if valid_from is not None:
        price_lists = price_lists.filter(valid_from=valid_from)
    found = list(price_lists[:2])
    if len(found) > 1:
        raise ValidationError(
            {
                "valid_from": _(
                    "There are several price lists named “%(name)s”: give the valid-from date."
                )
                % {"name": name}
            }
        )
    return found[0] if found else None
