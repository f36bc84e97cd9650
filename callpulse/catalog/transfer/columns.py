"""The columns of the products and prices files, their aliases, and reading one row of each.

Headers are matched case-insensitively, ignoring `_`, `-`, `.` and extra spaces, in English
(the export's own names) or Russian ("артикул", "наименование", "ед. изм.", "категория"…).
An `error` column (as in a rejected-rows file) is ignored, so a corrected file imports as is.

Blank cells: `sku` is required; a blank `name`, `unit`, `pack_size` or `active` keeps what the
product has (a new product gets the default; a new product needs a name); a blank `category`,
date or `promotion_note` clears it. In the prices file a blank cell leaves that price alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from callpulse.catalog.models import Unit
from callpulse.catalog.transfer.report import ERROR_COLUMN, CellError
from callpulse.catalog.transfer.tables import SourceRow, Table
from callpulse.catalog.transfer.values import (
    BadValue,
    is_blank,
    normalize_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_text,
    show,
)

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "unit",
    "category",
    "pack_size",
    "new_since",
    "promoted_from",
    "promoted_to",
    "promotion_note",
    "active",
)
# Columns a blank cell clears; the others keep the product's value when blank.
CLEARABLE = frozenset({"category", "new_since", "promoted_from", "promoted_to", "promotion_note"})
DATE_COLUMNS = ("new_since", "promoted_from", "promoted_to")

_ALIASES: dict[str, tuple[str, ...]] = {
    "sku": ("артикул", "код", "код товара", "article", "item", "код позиции"),
    "name": ("наименование", "название", "товар", "наименование товара", "product", "product name"),
    "unit": ("ед", "ед изм", "единица", "единица измерения", "unit of measure", "uom"),
    "category": ("категория", "группа", "группа товаров", "товарная группа"),
    "pack_size": (
        "фасовка",
        "в упаковке",
        "кол во в упаковке",
        "количество в упаковке",
        "кратность",
        "pack",
    ),
    "new_since": ("новинка с", "новинка", "новый с", "новинка с даты"),
    "promoted_from": ("акция с", "в акции с", "продвижение с", "promotion from", "promo from"),
    "promoted_to": (
        "акция по",
        "акция до",
        "в акции по",
        "продвижение по",
        "promotion to",
        "promo to",
    ),
    "promotion_note": (
        "примечание",
        "примечание к акции",
        "комментарий",
        "комментарий руководства",
        "заметка руководства",
        "management's note",
        "note",
    ),
    "active": ("активен", "активный", "активно", "действует", "is active"),
}
PRODUCT_HEADERS: dict[str, str] = {
    normalize_header(alias): column
    for column in PRODUCT_COLUMNS
    for alias in (column, *_ALIASES.get(column, ()))
}
IGNORED_HEADERS = frozenset({ERROR_COLUMN, "ошибка", "ошибки", "errors"})
# Russian names of the usual price columns; they apply when a column of that code exists.
PRICE_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "retail": ("розница", "розничная", "розничная цена", "цена розница"),
    "wholesale": ("опт", "оптовая", "оптовая цена", "цена опт"),
    "key": ("ключевой", "ключевая", "ключевые", "ключевые клиенты", "цена ключевая"),
    "regional": ("регион", "региональная", "регионы", "региональная цена", "цена регион"),
}

_UNITS: dict[str, str] = {
    normalize_header(alias): code
    for code, aliases in {
        Unit.PIECE: ("pcs", "pc", "piece", "pieces", "шт", "штука", "штуки", "дана"),
        Unit.KILOGRAM: ("kg", "кг", "килограмм", "kilogram"),
        Unit.LITRE: ("l", "л", "литр", "litre", "liter"),
        Unit.BOX: ("box", "кор", "коробка", "ящик", "қорап"),
        Unit.PACK: ("pack", "уп", "упак", "упаковка", "пачка"),
    }.items()
    for alias in aliases
}

SKU_LENGTH = 40
NAME_LENGTH = 200
CATEGORY_LENGTH = 120
NOTE_LENGTH = 255


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _check_unnamed(table: Table) -> None:
    if table.unnamed_data_row is not None:
        raise _file_error(
            _("Row %(number)d has a value in a column without a header.")
            % {"number": table.unnamed_data_row}
        )


def _claim(found: dict[str, str], key: str, header: str) -> None:
    if key in found:
        raise _file_error(
            _("The columns “%(first)s” and “%(second)s” are the same column.")
            % {"first": found[key], "second": header}
        )
    found[key] = header


def _unknown(unknown: list[str], expected: Sequence[str]) -> ValidationError:
    return _file_error(
        _("Unknown columns: %(unknown)s. Expected: %(expected)s.")
        % {
            "unknown": ", ".join(f"“{name}”" for name in unknown),
            "expected": ", ".join(expected),
        }
    )


def product_columns(table: Table) -> dict[str, str]:
    """Column → the header naming it in this file; unknown or repeated headers are an error."""
    _check_unnamed(table)
    found: dict[str, str] = {}
    unknown: list[str] = []
    for header in table.header:
        key = normalize_header(header)
        if key in IGNORED_HEADERS:
            continue
        if key in PRODUCT_HEADERS:
            _claim(found, PRODUCT_HEADERS[key], header)
        else:
            unknown.append(header)
    if unknown:
        raise _unknown(unknown, PRODUCT_COLUMNS)
    if "sku" not in found:
        raise _file_error(_("The file has no “sku” column."))
    return found


@dataclass(frozen=True)
class ColumnName:
    """What the prices reader needs of a price column."""

    code: str
    name: str


def price_columns(table: Table, columns: Sequence[ColumnName]) -> tuple[str, dict[str, str]]:
    """The SKU header, and price column code → its header in this file."""
    _check_unnamed(table)
    headers: dict[str, str] = {}
    for column in columns:
        for alias in PRICE_COLUMN_ALIASES.get(column.code, ()):
            headers.setdefault(normalize_header(alias), column.code)
    for column in columns:  # a column's own name and code win over the aliases
        headers[normalize_header(column.name)] = column.code
    for column in columns:
        headers[normalize_header(column.code)] = column.code
    informational = {"name", *(normalize_header(a) for a in _ALIASES["name"])}
    sku_headers = {normalize_header(a) for a in ("sku", *_ALIASES["sku"])}
    found: dict[str, str] = {}
    sku: dict[str, str] = {}
    unknown: list[str] = []
    for header in table.header:
        key = normalize_header(header)
        if key in sku_headers:
            _claim(sku, "sku", header)
        elif key in headers:
            _claim(found, headers[key], header)
        elif key not in IGNORED_HEADERS and key not in informational:
            unknown.append(header)
    if unknown:
        raise _unknown(unknown, ["sku", *(column.code for column in columns)])
    if not sku:
        raise _file_error(_("The file has no “sku” column."))
    if not found:
        raise _file_error(
            _("The file has no price column (%(codes)s).")
            % {"codes": ", ".join(column.code for column in columns)}
        )
    return sku["sku"], found


def parse_sku(row: SourceRow, header: str, errors: list[CellError]) -> str:
    value = row.values.get(header)
    if is_blank(value):
        errors.append(CellError(header, _("required")))
        return ""
    try:
        return parse_text(value, max_length=SKU_LENGTH)
    except BadValue as exc:
        errors.append(CellError(header, str(exc)))
        return ""


def _unit(value: object) -> str:
    code = _UNITS.get(normalize_header(show(value)))
    if code is None:
        raise BadValue(
            _("“%(value)s” is not a known unit (%(units)s)")
            % {"value": show(value), "units": ", ".join(Unit.values)}
        )
    return code


def _positive_pack(value: object) -> Decimal:
    number = parse_decimal(value, places=3, max_digits=10)
    if number <= 0:
        raise BadValue(_("“%(value)s” must be greater than zero") % {"value": show(value)})
    return number


def parse_product_row(
    row: SourceRow, columns: dict[str, str], errors: list[CellError]
) -> dict[str, object]:
    """The row's values by column (sku excluded): only the columns the row changes.

    A blank clearable column maps to None ('' for the note); problems go to `errors`.
    """
    values: dict[str, object] = {}
    for column, header in columns.items():
        if column == "sku":
            continue
        if header not in row.values:
            continue  # a record (from code) without this key: the product keeps its value
        raw = row.values[header]
        if is_blank(raw):
            if column in CLEARABLE:
                values[column] = "" if column == "promotion_note" else None
            continue
        try:
            if column == "name":
                values[column] = parse_text(raw, max_length=NAME_LENGTH)
            elif column == "unit":
                values[column] = _unit(raw)
            elif column == "category":
                values[column] = parse_text(raw, max_length=CATEGORY_LENGTH)
            elif column == "pack_size":
                values[column] = _positive_pack(raw)
            elif column in DATE_COLUMNS:
                values[column] = parse_date(raw)
            elif column == "promotion_note":
                values[column] = parse_text(raw, max_length=NOTE_LENGTH, multiline=True)
            elif column == "active":
                values[column] = parse_bool(raw)
        except BadValue as exc:
            errors.append(CellError(header, str(exc)))
    return values


def parse_amount(value: object) -> Decimal:
    amount = parse_decimal(value, places=2, max_digits=14)
    if amount < 0:
        raise BadValue(_("“%(value)s” is negative") % {"value": show(value)})
    return amount


def promotion_error(start: date | None, end: date | None) -> str | None:
    if start is not None and end is not None and end < start:
        return _("%(end)s is before the start of the promotion (%(start)s)") % {
            "end": end.isoformat(),
            "start": start.isoformat(),
        }
    return None
