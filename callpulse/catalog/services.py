"""Writes to the catalog.

Import of products and prices (from CSV or XLSX, see `callpulse.catalog.transfer`): every row is
checked, good rows are written (upsert by SKU) and bad rows come back in the report with their
number, column and reason. One import is one transaction; a dry run checks without writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from callpulse.catalog.models import Category, Price, PriceColumn, PriceList, Product
from callpulse.catalog.transfer.columns import (
    ColumnName,
    parse_amount,
    parse_product_row,
    parse_sku,
    price_columns,
    product_columns,
    promotion_error,
)
from callpulse.catalog.transfer.export import find_price_list
from callpulse.catalog.transfer.report import CellError, ImportReport
from callpulse.catalog.transfer.tables import Table
from callpulse.catalog.transfer.values import BadValue, is_blank, show
from callpulse.core.models import User
from callpulse.core.roles import CATALOG_EDITORS, user_has_role
from callpulse.core.services import audit_record

Rows = Table | Iterable[Mapping[str, object]]
BATCH = 500
# Products file column → Product field, where they differ.
PRODUCT_FIELD = {"active": "is_active"}


def _ensure_catalog_editor(actor: User) -> None:
    if not user_has_role(actor, CATALOG_EDITORS):
        raise PermissionDenied(_("Only the head of sales or the director edits the catalog."))


def _as_table(rows: Rows) -> Table:
    return rows if isinstance(rows, Table) else Table.from_records(rows)


def _repeated(table: Table, sku_header: str) -> dict[str, list[int]]:
    """SKU → the rows it appears in, for SKUs the file gives more than once."""
    seen: dict[str, list[int]] = {}
    for row in table.rows:
        value = row.values.get(sku_header)
        if not is_blank(value):
            seen.setdefault(show(value), []).append(row.number)
    return {sku: numbers for sku, numbers in seen.items() if len(numbers) > 1}


def _repeated_error(header: str, sku: str, numbers: Sequence[int]) -> CellError:
    return CellError(
        header,
        _("“%(sku)s” appears more than once in the file (rows %(rows)s)")
        % {"sku": sku, "rows": ", ".join(str(n) for n in numbers)},
    )


def _products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    wanted = sorted(set(skus))
    found: dict[str, Product] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        products = Product.objects.filter(sku__in=chunk).select_related("category")
        found.update({p.sku: p for p in products})
    return found


def _jsonable(value: object) -> Any:
    if isinstance(value, Category):
        return value.name
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _effective_date(values: dict[str, object], column: str, product: Product | None) -> date | None:
    """The date the product will have: from the row when the file has it, else as it is."""
    if column in values:
        value = values[column]
        return value if isinstance(value, date) else None
    return getattr(product, column) if product is not None else None


class _Categories:
    """Categories by name (exact, then ignoring case); unknown names become new categories."""

    def __init__(self) -> None:
        self.exact = {c.name: c for c in Category.objects.all()}
        self.folded = {name.casefold(): c for name, c in self.exact.items()}
        self.new: dict[str, Category] = {}

    def get(self, name: str) -> Category:
        found = self.exact.get(name) or self.folded.get(name.casefold())
        if found is None:
            found = self.new.setdefault(name.casefold(), Category(name=name))
        return found


@transaction.atomic
def catalog_import_products(*, actor: User, rows: Rows, dry_run: bool = False) -> ImportReport:
    """Create or update products by SKU from the rows of a products file.

    Raises ValidationError for a file the importer cannot map (no `sku` column, unknown or
    repeated columns) and PermissionDenied unless the actor edits the catalog.
    """
    _ensure_catalog_editor(actor)
    table = _as_table(rows)
    columns = product_columns(table)
    report = ImportReport(kind="products", header=table.header, dry_run=dry_run)
    sku_header = columns["sku"]
    repeated = _repeated(table, sku_header)
    existing = _products_by_sku(
        show(row.values[sku_header]) for row in table.rows if row.values.get(sku_header)
    )
    categories = _Categories()
    to_create: list[tuple[Product, dict[str, object]]] = []
    to_update: list[tuple[Product, dict[str, list[Any]]]] = []

    for row in table.rows:
        errors: list[CellError] = []
        sku = parse_sku(row, sku_header, errors)
        if sku in repeated:
            errors.append(_repeated_error(sku_header, sku, repeated[sku]))
        values = parse_product_row(row, columns, errors)
        product = existing.get(sku)
        if sku and product is None and not values.get("name"):
            name_header = columns.get("name", "name")
            if name_header not in {error.column for error in errors}:
                errors.append(CellError(name_header, _("required for a new product")))
        promotion_headers = {columns.get("promoted_from"), columns.get("promoted_to")} - {None}
        if promotion_headers and not promotion_headers & {error.column for error in errors}:
            problem = promotion_error(
                _effective_date(values, "promoted_from", product),
                _effective_date(values, "promoted_to", product),
            )
            if problem:
                header = columns.get("promoted_to") or columns["promoted_from"]
                errors.append(CellError(header, problem))
        if errors:
            report.reject(row, errors)
            continue

        fields: dict[str, object] = {}
        for column, value in values.items():
            fields[PRODUCT_FIELD.get(column, column)] = (
                categories.get(str(value)) if column == "category" and value else value
            )
        if product is None:
            to_create.append((Product(sku=sku, **fields), fields))
            continue
        changes = {
            name: [_jsonable(getattr(product, name)), _jsonable(value)]
            for name, value in fields.items()
            if getattr(product, name) != value
        }
        if changes:
            for name in changes:
                setattr(product, name, fields[name])
            to_update.append((product, changes))
        else:
            report.unchanged += 1

    report.created = len(to_create)
    report.updated = len(to_update)
    report.categories_created = [c.name for c in categories.new.values()]
    if dry_run:
        return report
    Category.objects.bulk_create(categories.new.values())
    Product.objects.bulk_create([product for product, _ in to_create], batch_size=BATCH)
    for product, changes in to_update:
        # One UPDATE per product, of its changed fields: faster than bulk_update's CASE chains.
        product.save(update_fields=list(changes))
    for product, fields in to_create:
        changes = {name: _jsonable(value) for name, value in fields.items()}
        audit_record(actor=actor, action="product.import_create", target=product, changes=changes)
    for product, changes in to_update:
        audit_record(actor=actor, action="product.import_update", target=product, changes=changes)
    return report


def _price_list(
    name: str, valid_from: date | None, currency: str | None
) -> tuple[PriceList | None, PriceList]:
    """(the existing list or None, the list to write into: existing, or a new unsaved one)."""
    if not name.strip():
        raise ValidationError({"price_list": _("Name the price list.")})
    found = find_price_list(name, valid_from)
    if found is not None:
        return found, found
    if valid_from is None:
        raise ValidationError(
            {
                "valid_from": _(
                    "There is no price list “%(name)s”: give its valid-from date to create it."
                )
                % {"name": name.strip()}
            }
        )
    new = PriceList(name=name.strip(), valid_from=valid_from)
    if currency:
        new.currency = currency
    return None, new


@transaction.atomic
def catalog_import_prices(
    *,
    actor: User,
    rows: Rows,
    price_list_name: str,
    valid_from: date | None = None,
    currency: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Set prices in the named price list from a prices file: `sku` and one column per code.

    The price list is created when absent (it then needs `valid_from`). A blank cell leaves that
    price as it is. Raises ValidationError for a file that cannot be mapped or a price list that
    cannot be found or made, and PermissionDenied unless the actor edits the catalog.
    """
    _ensure_catalog_editor(actor)
    table = _as_table(rows)
    known = list(PriceColumn.objects.order_by("sort_order", "code"))
    sku_header, headers = price_columns(table, [ColumnName(c.code, c.name) for c in known])
    columns = {c.code: c for c in known}
    existing_list, price_list = _price_list(price_list_name, valid_from, currency)
    report = ImportReport(
        kind="prices",
        header=table.header,
        dry_run=dry_run,
        price_list_name=price_list.name,
        price_list_created=existing_list is None,
    )
    repeated = _repeated(table, sku_header)
    products = _products_by_sku(
        show(row.values[sku_header]) for row in table.rows if row.values.get(sku_header)
    )
    current: dict[tuple[int, int], Price] = {}
    if existing_list is not None:
        prices = Price.objects.filter(price_list=existing_list)
        current = {(p.product_id, p.column_id): p for p in prices.iterator(chunk_size=5000)}

    to_create: list[Price] = []
    to_update: list[Price] = []
    for row in table.rows:
        errors: list[CellError] = []
        sku = parse_sku(row, sku_header, errors)
        if sku in repeated:
            errors.append(_repeated_error(sku_header, sku, repeated[sku]))
        product = products.get(sku)
        if sku and product is None:
            errors.append(CellError(sku_header, _("no product “%(sku)s”") % {"sku": sku}))
        amounts: dict[str, Decimal] = {}
        for code, header in headers.items():
            raw = row.values.get(header)
            if is_blank(raw):
                continue
            try:
                amounts[code] = parse_amount(raw)
            except BadValue as exc:
                errors.append(CellError(header, str(exc)))
        if errors or product is None:
            report.reject(row, errors)
            continue
        for code, amount in amounts.items():
            price = current.get((product.pk, columns[code].pk))
            if price is None:
                to_create.append(
                    Price(
                        price_list=price_list, product=product, column=columns[code], amount=amount
                    )
                )
            elif price.amount != amount:
                price.amount = amount
                to_update.append(price)
            else:
                report.unchanged += 1

    report.created = len(to_create)
    report.updated = len(to_update)
    if dry_run:
        return report
    if existing_list is None:
        price_list.save()
    Price.objects.bulk_create(to_create, batch_size=BATCH)
    for price in to_update:
        Price.objects.filter(pk=price.pk).update(amount=price.amount)
    audit_record(
        actor=actor,
        action="price_list.import",
        target=price_list,
        changes={
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            "price_list_created": report.price_list_created,
        },
    )
    return report
