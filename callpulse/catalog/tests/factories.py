"""Catalog test data: a price list with every column priced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from callpulse.catalog.models import Category, Price, PriceColumn, PriceList, Product

COLUMN_FACTORS = {
    "retail": Decimal("1.00"),
    "wholesale": Decimal("0.90"),
    "key": Decimal("0.85"),
    "regional": Decimal("0.95"),
}


def make_catalog(*, skus: int = 6, retail_price: Decimal = Decimal("1000.00")) -> list[Product]:
    """Products P1..Pn in every column: retail 1000, wholesale 900, key 850, regional 950."""
    drinks, _ = Category.objects.get_or_create(name="Напитки")
    price_list = PriceList.objects.create(name="Прайс 2026", valid_from=date(2026, 1, 1))
    columns = {c.code: c for c in PriceColumn.objects.all()}
    products = []
    for n in range(1, skus + 1):
        product = Product.objects.create(sku=f"P{n}", name=f"Товар {n}", category=drinks)
        products.append(product)
        for code, factor in COLUMN_FACTORS.items():
            Price.objects.create(
                price_list=price_list,
                product=product,
                column=columns[code],
                amount=retail_price * factor,
            )
    return products
