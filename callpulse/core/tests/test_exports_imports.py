"""The shared spreadsheet writer (no formulas, no characters XML cannot carry) and the shared
import checks (size, rows, CSV encoding, hostile XLSX), and the control-character validator."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from callpulse.core import exports, imports
from callpulse.core.tests.hostile_files import billion_laughs_xlsx, zip_bomb_xlsx
from callpulse.core.validators import forbidden_character, validate_multiline, validate_single_line

DANGEROUS = ["=1+1", "+7 701", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@given(st.text())
def test_escape_and_unescape_are_inverses_and_escaped_text_never_starts_a_formula(text):
    escaped = exports.escape_text(text)
    assert exports.unescape_text(escaped) == text
    assert escaped[:1] not in exports.FORMULA_TRIGGERS


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_starting_a_formula_gets_one_quote(text):
    assert exports.escape_text(text) == "'" + text
    assert exports.unescape_text("'" + text) == text


def test_a_quote_before_harmless_text_is_kept_both_ways():
    assert exports.escape_text("'hello") == "'hello"
    assert exports.unescape_text("'hello") == "'hello"
    # A name that itself starts with '= survives round trips without growing quotes.
    text = "'=x"
    for _ in range(3):
        text = exports.unescape_text(exports.escape_text(text))
    assert text == "'=x"


def test_csv_escapes_text_but_not_numbers():
    data = exports.csv_bytes(
        [["name", "amount", "count"], ["=cmd|' /C calc'!A0", Decimal("-12.50"), -3]]
    ).decode()
    assert data.splitlines()[1] == "'=cmd|' /C calc'!A0,-12.50,-3"


def _sheet_xml(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_stores_formula_like_text_as_a_quoted_string(text):
    content = exports.xlsx_bytes([["name", "amount"], [text, Decimal("-5.25")]])
    assert "<f>" not in _sheet_xml(content)  # no cell is a formula
    sheet = load_workbook(io.BytesIO(content)).active
    # (XML reads a CR back as LF.)
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == ("'" + text).replace("\r", "\n")
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == pytest.approx(-5.25)


def test_xlsx_replaces_characters_xml_cannot_carry():
    legacy = "ТОО\x00 Ромашка\x07\x1b\x7f\x85\ud800"
    content = exports.xlsx_bytes([["name"], [legacy], ["two\nlines\tand a tab"]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "ТОО\ufffd Ромашка\ufffd\ufffd\ufffd\ufffd\ufffd"
    assert sheet["A3"].value == "two\nlines\tand a tab"


def test_xlsx_keeps_dates_numbers_and_booleans_native():
    content = exports.xlsx_bytes([["day", "n", "flag", "none"], [date(2026, 3, 1), 7, True, None]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert (
        sheet["A2"].value.date() == date(2026, 3, 1) and sheet["A2"].number_format == "yyyy-mm-dd"
    )
    assert (sheet["B2"].value, sheet["C2"].value, sheet["D2"].value) == (7, True, None)


def test_append_row_works_on_an_ordinary_worksheet_too():
    book = Workbook()
    sheet = book.active
    exports.append_row(sheet, ["=2+2", 3])
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["B1"].value) == ("'=2+2", "s", 3)


def test_sheet_titles_excel_accepts():
    assert exports.sheet_title("Q4: [win]/back?\x07") == "Q4   win  back"
    assert exports.sheet_title("::", fallback="campaign") == "campaign"
    assert len(exports.sheet_title("x" * 50)) == 31


# --- imports --------------------------------------------------------------------------------------


def test_size_limit(settings):
    settings.CALLPULSE_IMPORT_MAX_BYTES = 100
    imports.check_size(100)
    with pytest.raises(imports.UnreadableUpload, match="at most 100"):
        imports.check_size(101)


def test_row_limit(settings):
    settings.CALLPULSE_IMPORT_MAX_ROWS = 2
    counter = imports.RowCounter()
    counter.add()
    counter.add()
    with pytest.raises(imports.UnreadableUpload, match="more than 2 rows"):
        counter.add()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("sku;name;unit\nA1;Молоко «Простоквашино» 3,2%;шт\nA2;ХЛЕБ БОРОДИНСКИЙ;шт\n", "cp1251"),
        ("phone;name\n+77010000001;Ержан\n", "cp1251"),
        ("sku;name\nA1;Хлеб Бородинский\n", "koi8_r"),
        ("sku;name\nA1;Café Müller, Größe L\n", "cp1252"),
        ("sku\tname\nA1\tМолоко\n", "utf-16"),
        ("\ufeffsku;name\nA1;Молоко\n", "utf-8"),
        ("sku;name\nA1;Молоко\n", "utf-8"),
    ],
)
def test_csv_encodings_are_detected_and_decoded_right(text, encoding):
    assert imports.decode_csv(text.encode(encoding)).lstrip("\ufeff") == text.lstrip("\ufeff")


def test_a_csv_of_unsure_encoding_is_refused():
    noise = bytes(range(0x80, 0x100)) * 3
    with pytest.raises(imports.UnreadableUpload, match="CSV UTF-8"):
        imports.decode_csv(noise)


def test_a_plain_xlsx_passes_the_check_and_stays_readable():
    book = Workbook()
    book.active.append(["sku", "name"])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    imports.check_xlsx(stream)
    assert load_workbook(stream).active["A1"].value == "sku"


def test_billion_laughs_xlsx_is_refused_before_openpyxl_parses_it():
    with pytest.raises(imports.UnreadableUpload, match="declares XML entities"):
        imports.check_xlsx(io.BytesIO(billion_laughs_xlsx(["sku", "name"])))


def test_an_xlsx_that_unpacks_too_big_is_refused(settings):
    settings.CALLPULSE_IMPORT_MAX_BYTES = 1000
    content = zip_bomb_xlsx(1000 * imports.UNPACKED_RATIO + 1)
    assert len(content) < 1000 * 10
    with pytest.raises(imports.UnreadableUpload, match="unpacks to more than"):
        imports.check_xlsx(io.BytesIO(content))


def test_not_a_zip_is_refused():
    with pytest.raises(imports.UnreadableUpload, match="not a zip"):
        imports.check_xlsx(io.BytesIO(b"sku;name\n"))


# --- the validator --------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\x85"])
def test_one_line_names_refuse_control_characters(character):
    assert forbidden_character(f"ТОО{character}Ромашка") == f"U+{ord(character):04X}"
    with pytest.raises(ValidationError, match=f"U\\+{ord(character):04X}"):
        validate_single_line(f"ТОО{character}Ромашка")


def test_multiline_text_takes_tabs_and_line_breaks_only():
    validate_multiline("first line\r\nsecond\tline")
    with pytest.raises(ValidationError):
        validate_multiline("bell\x07")
    validate_single_line("ТОО «Алтын Дала» — =SUM(A1), +7 701, 50%")
