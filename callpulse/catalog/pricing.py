"""Prices for an order: the client's column, then discount rules in their stated order.

Column: an individual agreement wins; else the best volume column the order reaches; else the
client type's column; else the default column (CALLPULSE_DEFAULT_PRICE_COLUMN). Then each active
rule, by `position`, multiplies the price by (1 − percent/100). Every line keeps its explanation:
"key client → column 'Key'; promotion 'Autumn' −5%", kept as codes and parameters
(catalog.explain) so each reader sees it in their own language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from callpulse.catalog.explain import explanation_texts, price_reason
from callpulse.catalog.models import (
    ClientPriceAgreement,
    DiscountKind,
    DiscountRule,
    Price,
    PriceColumn,
    PriceList,
    Product,
)
from callpulse.core.money import quantize
from callpulse.crm.models import Client

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass
class PricedLine:
    product: Product
    quantity: Decimal
    base_price: Decimal
    unit_price: Decimal
    line_total: Decimal
    explanation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def explanation_text(self) -> list[str]:
        """The explanation in the reader's language."""
        return explanation_texts(self.explanation)


@dataclass
class PricedOrder:
    column: PriceColumn
    currency: str
    lines: list[PricedLine]

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), ZERO)

    @property
    def base_total(self) -> Decimal:
        return sum((quantize(line.base_price * line.quantity) for line in self.lines), ZERO)


def active_price_list(on: date) -> PriceList:
    price_list = (
        PriceList.objects.filter(is_active=True, valid_from__lte=on).order_by("-valid_from").first()
    )
    if price_list is None:
        raise ValidationError({"lines": _("No price list is valid on %(day)s.") % {"day": on}})
    return price_list


def _prices(price_list: PriceList, products: Sequence[Product]) -> dict[tuple[int, int], Decimal]:
    rows = Price.objects.filter(price_list=price_list, product__in=products).values_list(
        "product_id", "column_id", "amount"
    )
    return {(product_id, column_id): amount for product_id, column_id, amount in rows}


def _column_for(
    client: Client, on: date, subtotal_at: dict[int, Decimal], columns: list[PriceColumn]
) -> tuple[PriceColumn, dict[str, Any]]:
    agreement = (
        ClientPriceAgreement.objects.filter(client=client, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("column")
        .first()
    )
    if agreement is not None:
        return agreement.column, price_reason("agreement", column=agreement.column.name)
    by_type = next((c for c in columns if client.client_type_id in c.type_ids), None)  # type: ignore[attr-defined]
    reference = by_type or next(
        (c for c in columns if c.code == settings.CALLPULSE_DEFAULT_PRICE_COLUMN), None
    )
    if reference is None:
        raise ValidationError({"lines": _("No price column fits this client.")})
    volume = [
        c
        for c in columns
        if c.min_order_total is not None
        and subtotal_at.get(reference.pk, ZERO) >= c.min_order_total
    ]
    if volume:
        best = max(volume, key=lambda c: c.min_order_total or ZERO)
        total = str(subtotal_at.get(reference.pk, ZERO))
        return best, price_reason("volume", total=total, column=best.name)
    if by_type is not None:
        client_type = client.client_type
        return by_type, price_reason(
            "client_type", type=client_type.name, type_code=client_type.code, column=by_type.name
        )
    return reference, price_reason("default_column", column=reference.name)


def _rules(on: date) -> list[DiscountRule]:
    return list(
        DiscountRule.objects.filter(is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .prefetch_related("products", "categories", "client_types")
        .order_by("position", "pk")
    )


def _rule_applies(
    rule: DiscountRule, client: Client, product: Product, quantity: Decimal, order_total: Decimal
) -> bool:
    type_ids = {t.pk for t in rule.client_types.all()}
    if type_ids and client.client_type_id not in type_ids:
        return False
    product_ids = {p.pk for p in rule.products.all()}
    category_ids = {c.pk for c in rule.categories.all()}
    targeted = bool(product_ids or category_ids)
    if targeted and product.pk not in product_ids and product.category_id not in category_ids:
        return False
    if rule.kind == DiscountKind.LINE_VOLUME:
        return rule.threshold is not None and quantity >= rule.threshold
    if rule.kind == DiscountKind.ORDER_VOLUME:
        return rule.threshold is not None and order_total >= rule.threshold
    return True


def price_order(
    *, client: Client, lines: Sequence[tuple[Product, Decimal]], on: date
) -> PricedOrder:
    """Price every line for this client on this day, each with the explanation of its price."""
    price_list = active_price_list(on)
    products = [product for product, _quantity in lines]
    prices = _prices(price_list, products)
    columns = list(PriceColumn.objects.prefetch_related("client_types"))
    for column in columns:
        column.type_ids = {t.pk for t in column.client_types.all()}  # type: ignore[attr-defined]
    subtotal_at = {
        column.pk: sum((prices.get((p.pk, column.pk), ZERO) * q for p, q in lines), ZERO)
        for column in columns
    }
    column, column_reason = _column_for(client, on, subtotal_at, columns)
    missing = [p.sku for p, _q in lines if (p.pk, column.pk) not in prices]
    if missing:
        raise ValidationError(
            {
                "lines": _("No price in column “%(column)s” for: %(skus)s.")
                % {"column": column.name, "skus": ", ".join(missing)}
            }
        )
    order_total = subtotal_at[column.pk]
    rules = _rules(on)
    priced: list[PricedLine] = []
    for product, quantity in lines:
        base = prices[(product.pk, column.pk)]
        unit = base
        explanation = [column_reason]
        for rule in rules:
            if _rule_applies(rule, client, product, quantity, order_total):
                unit = unit * (HUNDRED - rule.percent) / HUNDRED
                explanation.append(
                    price_reason(
                        "discount",
                        kind=str(rule.kind),
                        name=rule.name,
                        percent=f"{rule.percent.normalize():f}",
                    )
                )
        unit_price = quantize(unit)
        priced.append(
            PricedLine(
                product=product,
                quantity=quantity,
                base_price=base,
                unit_price=unit_price,
                line_total=quantize(unit_price * quantity),
                explanation=explanation,
            )
        )
    return PricedOrder(column=column, currency=price_list.currency, lines=priced)
