"""Import and export of products and prices (CSV and XLSX): round trips, every rejection reason,
dry runs, the role rule both ways, Russian headers and decimal commas, the commands and the admin
page."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.urls import reverse

from callpulse.catalog import services
from callpulse.catalog.models import Category, Price, PriceList, Product
from callpulse.catalog.services import catalog_import_prices, catalog_import_products
from callpulse.catalog.tests.factories import make_catalog
from callpulse.catalog.transfer import (
    Table,
    UnreadableFile,
    prices_table,
    products_table,
    read_table,
    table_bytes,
)
from callpulse.catalog.transfer.values import BadValue, parse_bool, parse_date, parse_decimal
from callpulse.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PRODUCT_FIELDS = (
    "sku",
    "name",
    "unit",
    "category_id",
    "pack_size",
    "new_since",
    "promoted_from",
    "promoted_to",
    "promotion_note",
    "is_active",
)


@pytest.fixture
def editor(make_user):
    return make_user("head_of_sales")


@pytest.fixture
def catalog():
    """make_catalog's six products, some with every optional field filled in."""
    products = make_catalog()
    snacks = Category.objects.create(name="Снеки")
    Product.objects.filter(sku="P2").update(
        unit="kg",
        pack_size=Decimal("0.250"),
        category=snacks,
        new_since=date(2026, 3, 1),
        promoted_from=date(2026, 4, 1),
        promoted_to=date(2026, 4, 30),
        promotion_note='Акция "Осень"; −5%, see\nthe memo',
    )
    Product.objects.filter(sku="P3").update(is_active=False, category=None, pack_size=12)
    Product.objects.filter(sku="P4").update(name="=SUM(A1:A2)")  # text, never a formula
    return products


def csv_file(text, encoding="utf-8"):
    return read_table(io.BytesIO(text.encode(encoding)), fmt="csv")


def rows_of(*records):
    return Table.from_records(records)


def snapshot_products():
    return list(Product.objects.order_by("sku").values_list(*PRODUCT_FIELDS))


def snapshot_prices(price_list):
    return list(
        Price.objects.filter(price_list=price_list)
        .order_by("product__sku", "column__code")
        .values_list("product__sku", "column__code", "amount")
    )


def messages(report):
    return [str(row) for row in report.rejected_rows]


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_products_file_imports_back_unchanged(editor, catalog, fmt):
    before = snapshot_products()
    exported = table_bytes(products_table(), fmt)

    report = catalog_import_products(actor=editor, rows=read_table(io.BytesIO(exported)))

    assert (report.created, report.updated, report.rejected) == (0, 0, 0), messages(report)
    assert report.unchanged == len(before)
    assert snapshot_products() == before
    if fmt == "csv":  # byte for byte (an XLSX zip carries timestamps)
        assert table_bytes(products_table(), fmt) == exported


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_price_list_imports_back_unchanged_and_into_a_new_list(editor, catalog, fmt):
    price_list = PriceList.objects.get()
    before = snapshot_prices(price_list)
    exported = read_table(io.BytesIO(table_bytes(prices_table(price_list), fmt)))

    same = catalog_import_prices(actor=editor, rows=exported, price_list_name=price_list.name)
    copy = catalog_import_prices(
        actor=editor, rows=exported, price_list_name="Прайс 2027", valid_from=date(2027, 1, 1)
    )

    assert (same.created, same.updated, same.unchanged, same.rejected) == (0, 0, 24, 0)
    assert snapshot_prices(price_list) == before
    assert copy.price_list_created and copy.created == 24
    new_list = PriceList.objects.get(name="Прайс 2027")
    assert new_list.valid_from == date(2027, 1, 1)
    assert snapshot_prices(new_list) == before


def test_the_export_writes_what_the_catalog_holds(catalog):
    table = products_table()
    p2 = next(row.values for row in table.rows if row.values["sku"] == "P2")
    assert table.header[:3] == ["sku", "name", "unit"]
    assert p2["unit"] == "kg" and p2["category"] == "Снеки" and p2["pack_size"] == Decimal("0.25")
    assert p2["promoted_to"] == date(2026, 4, 30)
    csv_text = table_bytes(table, "csv").decode("utf-8-sig")
    assert csv_text.splitlines()[0] == (
        "sku;name;unit;category;pack_size;new_since;promoted_from;promoted_to;promotion_note;active"
    )
    assert "P2;Товар 2;kg;Снеки;0,25;2026-03-01;2026-04-01;2026-04-30;" in csv_text
    prices = prices_table(PriceList.objects.get())
    assert prices.header == ["sku", "retail", "wholesale", "key", "regional"]
    assert prices.rows[0].values == {
        "sku": "P1",
        "retail": Decimal("1000.00"),
        "wholesale": Decimal("900.00"),
        "key": Decimal("850.00"),
        "regional": Decimal("950.00"),
    }


# --- writes -------------------------------------------------------------------------------------


def test_products_are_created_and_updated_by_sku_with_an_audit_line(editor, catalog):
    report = catalog_import_products(
        actor=editor,
        rows=rows_of(
            {"sku": "P1", "name": "Вода 0,5", "pack_size": "6", "category": "Вода"},
            {"sku": "N1", "name": "Новинка", "unit": "box", "new_since": "01.11.2026"},
            {"sku": "P5", "name": "Товар 5"},
        ),
    )

    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 1, 1, 0)
    assert report.categories_created == ["Вода"]
    p1 = Product.objects.get(sku="P1")
    assert (p1.name, p1.pack_size, p1.category.name) == ("Вода 0,5", Decimal(6), "Вода")
    assert p1.unit == "pcs"  # not in the file: kept
    n1 = Product.objects.get(sku="N1")
    assert (n1.unit, n1.new_since, n1.is_active, n1.pack_size) == (
        "box",
        date(2026, 11, 1),
        True,
        Decimal(1),
    )
    update = AuditEntry.objects.get(action="product.import_update")
    assert update.actor == editor and update.target_id == str(p1.pk)
    assert update.changes["name"] == ["Товар 1", "Вода 0,5"]
    assert AuditEntry.objects.filter(action="product.import_create", target_id=n1.pk).exists()


def test_blank_cells_keep_required_values_and_clear_optional_ones(editor, catalog):
    catalog_import_products(
        actor=editor,
        rows=rows_of(
            {
                "sku": "P2",
                "name": "",
                "unit": "",
                "pack_size": " ",
                "category": "",
                "promoted_from": "",
                "promoted_to": "",
                "promotion_note": "",
                "active": "",
            }
        ),
    )
    p2 = Product.objects.get(sku="P2")
    assert (p2.name, p2.unit, p2.pack_size, p2.is_active) == (
        "Товар 2",
        "kg",
        Decimal("0.25"),
        True,
    )
    assert (p2.category, p2.promoted_from, p2.promoted_to, p2.promotion_note) == (
        None,
        None,
        None,
        "",
    )


def test_prices_are_set_and_blank_cells_leave_a_price_alone(editor, catalog):
    price_list = PriceList.objects.get()
    report = catalog_import_prices(
        actor=editor,
        rows=rows_of({"sku": "P1", "retail": "1100", "wholesale": "", "key": "850"}),
        price_list_name=price_list.name,
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    amounts = dict(Price.objects.filter(product__sku="P1").values_list("column__code", "amount"))
    assert amounts == {
        "retail": Decimal(1100),
        "wholesale": Decimal(900),
        "key": Decimal(850),
        "regional": Decimal(950),
    }
    entry = AuditEntry.objects.get(action="price_list.import")
    assert entry.target_id == str(price_list.pk) and entry.changes["updated"] == 1


# --- rejections ---------------------------------------------------------------------------------


def test_every_product_rejection_names_the_row_the_column_and_the_reason(editor, catalog):
    Product.objects.filter(sku="P6").update(promoted_from=date(2026, 5, 10))
    table = csv_file(
        "sku;name;unit;pack_size;new_since;promoted_from;promoted_to;active\n"
        "OK1;Хороший;pcs;1;;;;yes\n"  # row 2
        ";Без артикула;pcs;1;;;;\n"  # row 3: missing SKU
        "D1;Первый;pcs;1;;;;\n"  # row 4: duplicate (with row 5)
        "D1;Второй;pcs;1;;;;\n"  # row 5
        "B1;Фасовка;pcs;abc;;;;\n"  # row 6: bad number
        "B2;Дата;pcs;1;31.02.2026;;;\n"  # row 7: bad date
        "B3;Единица;бочка;1;;;;\n"  # row 8: unknown unit
        "B4;Акция;pcs;1;;10.03.2026;01.03.2026;\n"  # row 9: ends before it starts
        "B5;;pcs;1;;;;\n"  # row 10: a new product needs a name
        "B6;Ноль;pcs;0;;;;\n"  # row 11: pack size must be positive
        "B7;Активен;pcs;1;;;;может быть\n"  # row 12: not yes or no
    )

    report = catalog_import_products(actor=editor, rows=table)

    assert (report.created, report.updated, report.rejected) == (1, 0, 10)
    assert messages(report) == [
        "row 3, sku: required",
        "row 4, sku: “D1” appears more than once in the file (rows 4, 5)",
        "row 5, sku: “D1” appears more than once in the file (rows 4, 5)",
        "row 6, pack_size: “abc” is not a number",
        "row 7, new_since: “31.02.2026” is not a date (write YYYY-MM-DD or DD.MM.YYYY)",
        "row 8, unit: “бочка” is not a known unit (pcs, kg, l, box, pack)",
        "row 9, promoted_to: 2026-03-01 is before the start of the promotion (2026-03-10)",
        "row 10, name: required for a new product",
        "row 11, pack_size: “0” must be greater than zero",
        "row 12, active: “может быть” is not yes or no",
    ]
    assert Product.objects.filter(sku="OK1").exists()
    assert not Product.objects.filter(sku__in=["D1", "B1", "B2", "B3", "B4", "B5"]).exists()


def test_a_promotion_end_is_checked_against_the_start_already_stored(editor, catalog):
    Product.objects.filter(sku="P6").update(promoted_from=date(2026, 5, 10))
    report = catalog_import_products(
        actor=editor, rows=csv_file("sku;promoted_to\nP6;2026-05-01\nP5;2026-05-01\n")
    )
    assert messages(report) == [
        "row 2, promoted_to: 2026-05-01 is before the start of the promotion (2026-05-10)"
    ]
    assert Product.objects.get(sku="P6").promoted_to is None
    assert Product.objects.get(sku="P5").promoted_to == date(2026, 5, 1)


def test_a_row_with_several_problems_lists_them_all(editor):
    report = catalog_import_products(
        actor=editor,
        rows=rows_of({"sku": "X", "name": "x" * 201, "pack_size": "1,2345", "unit": "?"}),
    )
    assert report.rejected_rows[0].message == (
        "name: is longer than 200 characters (201); pack_size: “1,2345” has more than "
        "3 decimal places; unit: “?” is not a known unit (pcs, kg, l, box, pack)"
    )


def test_every_price_rejection_names_the_row_the_column_and_the_reason(editor, catalog):
    table = csv_file(
        "sku,retail,wholesale\n"
        "P1,1200,1100\n"  # row 2: good
        "P2,-5,900\n"  # row 3: negative price
        "NOPE,100,90\n"  # row 4: unknown SKU
        "P3,12x,\n"  # row 5: bad number
        "P4,1,\n"  # row 6: duplicate
        "P4,2,\n"  # row 7
        ",1,1\n"  # row 8: missing SKU
        "P5,1.005,\n"  # row 9: more than two decimals
    )
    report = catalog_import_prices(actor=editor, rows=table, price_list_name="Прайс 2026")
    assert messages(report) == [
        "row 3, retail: “-5” is negative",
        "row 4, sku: no product “NOPE”",
        "row 5, retail: “12x” is not a number",
        "row 6, sku: “P4” appears more than once in the file (rows 6, 7)",
        "row 7, sku: “P4” appears more than once in the file (rows 6, 7)",
        "row 8, sku: required",
        "row 9, retail: “1.005” has more than 2 decimal places",
    ]
    assert (report.updated, report.rejected) == (2, 7)
    assert Price.objects.get(product__sku="P2", column__code="retail").amount == Decimal(1000)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_rejected_rows_file_has_an_error_column_and_imports_once_fixed(editor, fmt):
    original = rows_of(
        {"sku": "A1", "name": "Хороший", "pack_size": "2"},
        {"sku": "A2", "name": "Плохой", "pack_size": "два"},
    )
    report = catalog_import_products(actor=editor, rows=original)
    rejected = read_table(io.BytesIO(table_bytes(report.rejected_table(), fmt)))

    assert rejected.header == ["sku", "name", "pack_size", "error"]
    assert [row.number for row in rejected.rows] == [2]
    assert rejected.rows[0].values["sku"] == "A2"
    assert rejected.rows[0].values["error"] == "pack_size: “два” is not a number"

    fixed = Table(
        header=rejected.header,
        rows=[type(row)(row.number, {**row.values, "pack_size": 2}) for row in rejected.rows],
    )
    again = catalog_import_products(actor=editor, rows=fixed)
    assert (again.created, again.rejected) == (1, 0)


def test_a_file_the_importer_cannot_map_is_refused_as_a_whole(editor, catalog):
    with pytest.raises(ValidationError, match="Unknown columns: “colour”"):
        catalog_import_products(actor=editor, rows=rows_of({"sku": "P1", "colour": "red"}))
    with pytest.raises(ValidationError, match="no “sku” column"):
        catalog_import_products(actor=editor, rows=rows_of({"name": "P1"}))
    with pytest.raises(ValidationError, match="same column"):
        catalog_import_products(actor=editor, rows=csv_file("sku;Артикул\nP1;P1\n"))
    with pytest.raises(ValidationError, match="without a header"):
        catalog_import_products(actor=editor, rows=csv_file("sku;name\nP1;Товар;лишнее\n"))
    with pytest.raises(ValidationError, match="valid-from"):
        catalog_import_prices(
            actor=editor, rows=rows_of({"sku": "P1", "retail": "1"}), price_list_name="Нет"
        )
    with pytest.raises(ValidationError, match="no price column"):
        catalog_import_prices(
            actor=editor, rows=rows_of({"sku": "P1"}), price_list_name="Прайс 2026"
        )
    with pytest.raises(UnreadableFile, match="XLS"):
        read_table(io.BytesIO(b"\xd0\xcf\x11\xe0rest"))


# --- all or nothing, dry runs, the role rule ----------------------------------------------------


def test_a_database_error_writes_nothing(editor, catalog, monkeypatch):
    def refuse(**kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(services, "audit_record", refuse)
    before = snapshot_products()
    with pytest.raises(IntegrityError):
        catalog_import_products(
            actor=editor,
            rows=rows_of(
                {"sku": "P1", "name": "Новое"}, {"sku": "N1", "name": "Новый", "category": "Новая"}
            ),
        )
    assert snapshot_products() == before
    assert not Category.objects.filter(name="Новая").exists()


def test_a_dry_run_checks_every_row_and_writes_nothing(editor, catalog):
    products_before = snapshot_products()
    price_list = PriceList.objects.get()
    prices_before = snapshot_prices(price_list)

    products = catalog_import_products(
        actor=editor,
        rows=rows_of(
            {"sku": "P1", "name": "Новое имя", "category": "Новая категория"},
            {"sku": "N1", "name": "Новый"},
            {"sku": "N2", "pack_size": "x"},
        ),
        dry_run=True,
    )
    prices = catalog_import_prices(
        actor=editor,
        rows=rows_of({"sku": "P1", "retail": "1"}, {"sku": "NOPE", "retail": "1"}),
        price_list_name="Прайс 2027",
        valid_from=date(2027, 1, 1),
        dry_run=True,
    )

    assert (products.created, products.updated, products.rejected) == (1, 1, 1)
    assert products.categories_created == ["Новая категория"]
    assert "Dry run" in products.summary()
    assert (prices.created, prices.rejected, prices.price_list_created) == (1, 1, True)
    assert snapshot_products() == products_before
    assert snapshot_prices(price_list) == prices_before
    assert not Category.objects.filter(name="Новая категория").exists()
    assert not PriceList.objects.filter(name="Прайс 2027").exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["operator", "account_manager", "finance", "supervisor"])
def test_only_catalog_editors_import(make_user, catalog, role):
    someone = make_user(role)
    with pytest.raises(PermissionDenied):
        catalog_import_products(actor=someone, rows=rows_of({"sku": "P1", "name": "x"}))
    with pytest.raises(PermissionDenied):
        catalog_import_prices(
            actor=someone, rows=rows_of({"sku": "P1", "retail": "1"}), price_list_name="Прайс 2026"
        )
    assert Product.objects.get(sku="P1").name == "Товар 1"


@pytest.mark.parametrize("role", ["head_of_sales", "director"])
def test_catalog_editors_may_import(make_user, catalog, role):
    report = catalog_import_products(
        actor=make_user(role), rows=rows_of({"sku": "P1", "name": "x"})
    )
    assert report.updated == 1


# --- what people type ---------------------------------------------------------------------------


def test_russian_headers_decimal_commas_and_dotted_dates_in_a_windows_1251_file(editor, catalog):
    table = csv_file(
        "Артикул;Наименование;Ед. изм.;Категория;Фасовка;Новинка с;Акция с;Акция по;"
        "Примечание;Активен\n"
        "R1;Сок яблочный;шт;Соки;1 234,5;01.09.2026;01.10.2026;31.10.2026;Осень;да\n"
        "R2;Сахар;кг;Бакалея;0,25;;;;;нет\n",
        encoding="cp1251",
    )
    report = catalog_import_products(actor=editor, rows=table)
    assert (report.created, report.rejected) == (2, 0), messages(report)
    r1 = Product.objects.get(sku="R1")
    assert (r1.unit, r1.pack_size, r1.category.name, r1.promotion_note) == (
        "pcs",
        Decimal("1234.5"),
        "Соки",
        "Осень",
    )
    assert (r1.new_since, r1.promoted_from, r1.promoted_to) == (
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert Product.objects.get(sku="R2").is_active is False

    prices = catalog_import_prices(
        actor=editor,
        rows=csv_file("\ufeffАРТИКУЛ;Розница;Опт;Ключевая\nR1;1 234,50;1\u00a0100,00;999\n"),
        price_list_name="Прайс 2026",
    )
    assert (prices.created, prices.rejected) == (3, 0), messages(prices)
    amounts = dict(Price.objects.filter(product__sku="R1").values_list("column__code", "amount"))
    assert amounts == {
        "retail": Decimal("1234.50"),
        "wholesale": Decimal("1100.00"),
        "key": Decimal(999),
    }


def test_an_xlsx_file_with_a_wrong_stored_size_is_read_whole(editor, catalog):
    data = io.BytesIO(table_bytes(products_table(), "xlsx"))
    broken = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', content)
                content = content.replace(b"<sheetData>", b'<dimension ref="A1"/><sheetData>', 1)
            target.writestr(item, content)
    broken.seek(0)
    table = read_table(broken)
    assert len(table.rows) == 6 and table.rows[-1].values["sku"] == "P6"


def test_csv_separators_are_sniffed_and_headers_match_in_any_case(editor):
    comma = csv_file('SKU,Name,Pack_Size\nC1,"Сок, яблочный","1,5"\n')
    semicolon = csv_file("\ufeffsku;NAME;pack-size\r\nC2;Сок;2.5\r\n")
    tab = csv_file("sku\tname\nC3\tСок\n")
    for table in (comma, semicolon, tab):
        report = catalog_import_products(actor=editor, rows=table)
        assert (report.created, report.rejected) == (1, 0), messages(report)
    assert Product.objects.get(sku="C1").name == "Сок, яблочный"
    assert Product.objects.get(sku="C1").pack_size == Decimal("1.5")
    assert Product.objects.get(sku="C2").pack_size == Decimal("2.5")


def test_blank_lines_are_skipped_and_row_numbers_follow_the_file(editor):
    report = catalog_import_products(actor=editor, rows=csv_file("sku;name\n\nA;\n;;\n\nB;x\n"))
    assert messages(report) == ["row 3, name: required for a new product"]
    assert report.created == 1


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1,234,567", Decimal(1234567)),
        ("0,5", Decimal("0.5")),
        (" 12 ", Decimal(12)),
        (7, Decimal(7)),
        (0.1 + 0.2, Decimal("0.30")),
        (Decimal("2.10"), Decimal("2.10")),
    ],
)
def test_numbers_as_people_type_them(typed, number):
    assert parse_decimal(typed, places=2, max_digits=14) == number


@pytest.mark.parametrize("typed", ["abc", "1,2,3.4.5", "", "1e5", "NaN", True, "12,345", "-"])
def test_what_is_not_a_number(typed):
    with pytest.raises(BadValue):
        parse_decimal(typed, places=2, max_digits=14)


def test_dates_and_yes_no():
    assert parse_date("2026-03-01") == parse_date("01.03.2026") == parse_date("1.3.2026")
    assert parse_date("2026-03-01 00:00:00") == date(2026, 3, 1)
    for bad in ("2026-02-30", "03/01/2026", "01.03.26", "tomorrow"):
        with pytest.raises(BadValue):
            parse_date(bad)
    assert [parse_bool(v) for v in ("да", "ИСТИНА", "Yes", 1, True)] == [True] * 5
    assert [parse_bool(v) for v in ("нет", "ЛОЖЬ", "no", 0, "0")] == [False] * 5


# --- size ---------------------------------------------------------------------------------------


def test_five_thousand_products_and_their_prices_import_in_one_go(editor, catalog):
    products = rows_of(
        *(
            {
                "sku": f"BULK-{n:05d}",
                "name": f"Товар {n}",
                "unit": "pcs",
                "category": f"Группа {n % 20}",
                "pack_size": "1",
                "active": "yes",
            }
            for n in range(5000)
        )
    )
    prices = rows_of(
        *(
            {
                "sku": f"BULK-{n:05d}",
                "retail": f"{n},50",
                "wholesale": f"{n}",
                "key": "",
                "regional": "1",
            }
            for n in range(5000)
        )
    )

    first = catalog_import_products(actor=editor, rows=products)
    again = catalog_import_products(actor=editor, rows=products)
    priced = catalog_import_prices(actor=editor, rows=prices, price_list_name="Прайс 2026")

    assert (first.created, first.rejected, len(first.categories_created)) == (5000, 0, 20)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5000)
    assert (priced.created, priced.rejected) == (15000, 0)
    assert Price.objects.get(product__sku="BULK-04999", column__code="retail").amount == Decimal(
        "4999.50"
    )


# --- commands -----------------------------------------------------------------------------------


def test_the_commands_export_and_import_both_formats(tmp_path, catalog, make_user):
    make_user("operator", username="zz-operator")
    admin = make_user(is_superuser=True, is_staff=True, username="root")
    products_xlsx = tmp_path / "products.xlsx"
    prices_csv = tmp_path / "prices.csv"
    out = io.StringIO()

    call_command("catalog_export", "products", str(products_xlsx), stdout=out)
    call_command("catalog_export", "prices", str(prices_csv), "--price-list", "Прайс 2026")
    call_command("catalog_import", "products", str(products_xlsx), stdout=out)
    call_command(
        "catalog_import", "prices", str(prices_csv), "--price-list", "Прайс 2026", stdout=out
    )

    assert "6 rows written" in out.getvalue()
    assert "products: 0 created, 0 updated, 6 unchanged; 0 rows rejected." in out.getvalue()
    assert "prices: 0 created, 0 updated, 24 unchanged" in out.getvalue()
    assert AuditEntry.objects.filter(actor=admin).count() == 1  # the price list's line
    with pytest.raises(CommandError, match="edits the catalog"):
        call_command("catalog_import", "products", str(products_xlsx), "--as", "zz-operator")


def test_the_import_command_dry_runs_and_writes_rejected_rows(tmp_path, catalog, editor):
    source = tmp_path / "new.csv"
    source.write_text("sku;name;pack_size\nN1;Новый;1\nN2;Плохой;abc\n", encoding="utf-8")
    rejected = tmp_path / "rejected.xlsx"
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "catalog_import",
        "products",
        str(source),
        "--dry-run",
        "--rejected",
        str(rejected),
        "--as",
        editor.username,
        stdout=out,
        stderr=err,
    )

    assert "1 created" in out.getvalue() and "Dry run" in out.getvalue()
    assert "row 3, pack_size: “abc” is not a number" in err.getvalue()
    assert not Product.objects.filter(sku="N1").exists()
    back = read_table(rejected)
    assert back.rows[0].values["error"] == "pack_size: “abc” is not a number"


def test_the_import_command_explains_what_it_cannot_do(tmp_path, catalog, editor):
    source = tmp_path / "p.csv"
    source.write_text("sku;retail\nP1;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="superuser"):
        call_command("catalog_import", "products", str(source))
    as_editor = ("--as", editor.username)
    with pytest.raises(CommandError, match="No file"):
        call_command("catalog_import", "products", str(tmp_path / "missing.csv"), *as_editor)
    with pytest.raises(CommandError, match="--price-list"):
        call_command("catalog_import", "prices", str(source), *as_editor)
    with pytest.raises(CommandError, match="valid-from date"):
        call_command("catalog_import", "prices", str(source), "--price-list", "Нет", *as_editor)
    with pytest.raises(CommandError, match="Unknown columns"):
        call_command("catalog_import", "products", str(source), *as_editor)


# --- the admin page -----------------------------------------------------------------------------


def test_the_admin_import_page_for_catalog_editors(client, make_user, catalog):
    editor = make_user("head_of_sales", is_staff=True)
    client.force_login(editor)
    url = reverse("admin:catalog_product_import")
    assert client.get(url).status_code == 200

    upload = SimpleUploadedFile(
        "prices.csv", b"sku;retail\nP1;1 500,00\nP9;100\n", content_type="text/csv"
    )
    response = client.post(url, {"kind": "prices", "file": upload, "price_list": "Прайс 2026"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "prices: 0 created, 1 updated, 0 unchanged; 1 row rejected." in page
    assert "no product “P9”" in page
    assert "data:text/csv;charset=utf-8;base64," in page
    assert Price.objects.get(product__sku="P1", column__code="retail").amount == Decimal(1500)


def test_the_admin_import_page_dry_runs_an_xlsx_file(client, make_user, catalog):
    client.force_login(make_user("director", is_staff=True))
    Product.objects.filter(sku="P1").update(name="Старое")
    upload = SimpleUploadedFile("catalog.xlsx", table_bytes(products_table(), "xlsx"))
    Product.objects.filter(sku="P1").update(name="Новое")
    response = client.post(
        reverse("admin:catalog_product_import"),
        {"kind": "products", "file": upload, "dry_run": "on"},
    )
    assert "products: 0 created, 1 updated, 5 unchanged; 0 rows rejected." in (
        response.content.decode()
    )
    assert "Dry run" in response.content.decode()
    assert Product.objects.get(sku="P1").name == "Новое"


def test_the_admin_import_page_reports_a_file_it_cannot_map(client, make_user, catalog):
    client.force_login(make_user("director", is_staff=True))
    upload = SimpleUploadedFile("p.csv", b"colour\nred\n")
    response = client.post(
        reverse("admin:catalog_product_import"), {"kind": "products", "file": upload}
    )
    assert response.status_code == 200
    assert "Unknown columns: “colour”" in response.content.decode()


def test_the_admin_import_page_is_refused_to_others(client, make_user, catalog):
    client.force_login(make_user("operator", is_staff=True))
    url = reverse("admin:catalog_product_import")
    assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("p.csv", b"sku;name\nP1;x\n")
    assert client.post(url, {"kind": "products", "file": upload}).status_code == 403
    assert Product.objects.get(sku="P1").name == "Товар 1"


def test_the_product_list_links_to_the_import_page_for_editors(admin_client, catalog):
    page = admin_client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert reverse("admin:catalog_product_import") in page
