"""The one way out for spreadsheets: every CSV and XLSX export writes its cells through here.

Two dangers in cells someone else typed (a client's or a product's name):

- **formula injection** (OWASP "CSV injection"): a text cell starting with ``=``, ``+``, ``-``,
  ``@``, tab or CR runs as a formula when the file is opened in Excel or LibreOffice
  (``=HYPERLINK(...)``, DDE). Such text gets a leading ``'``; numbers, dates and booleans are
  written as themselves, so a negative amount stays a number. In XLSX the cell is also typed as
  a string, never a formula.
- **characters XML cannot carry**: a legacy name holding a control character would make openpyxl
  raise (a 500) or write a file Excel refuses to open. In XLSX they become U+FFFD.

`escape_text` and `unescape_text` are inverses: an importer reading back our own export calls
`unescape_text`, so a name survives any number of round trips unchanged (no growing quotes).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# OWASP's list: what makes a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"
REPLACEMENT = "\ufffd"
# What XML 1.0 cannot carry or Excel refuses: C0 controls except tab, LF and CR, DEL and the C1
# controls, lone surrogates, and the non-characters U+FFFE and U+FFFF.
_NOT_FOR_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Excel refuses these in sheet names.
_NOT_FOR_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_LENGTH = 31

Row = Sequence[object]


def _looks_escaped(text: str) -> bool:
    """True for text that, after its leading quotes, starts with a formula trigger."""
    rest = text.lstrip(QUOTE)
    return bool(rest) and rest[0] in FORMULA_TRIGGERS


def escape_text(text: str) -> str:
    """`=1+1` → `'=1+1`; text that already looks escaped (`'=x`) gets one more quote so that
    `unescape_text` gives it back as it was. Other text is unchanged."""
    return QUOTE + text if _looks_escaped(text) else text


def unescape_text(text: str) -> str:
    """The inverse of `escape_text`: drops exactly one leading quote, and only before what
    `escape_text` would have escaped (`'=1+1` → `=1+1`; `'hello` stays `'hello`)."""
    if text.startswith(QUOTE) and _looks_escaped(text[1:]):
        return text[1:]
    return text


def xml_safe_text(text: str) -> str:
    """The text with every character XML (or Excel) cannot carry replaced by U+FFFD."""
    return _NOT_FOR_XML.sub(REPLACEMENT, text)


def sheet_title(text: str, *, fallback: str = "Sheet") -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\`` nor control characters, at most 31 long."""
    cleaned = _NOT_FOR_SHEET_TITLE.sub(" ", xml_safe_text(text).replace(REPLACEMENT, " "))
    return cleaned.strip()[:SHEET_TITLE_LENGTH].strip() or fallback[:SHEET_TITLE_LENGTH]


# --- CSV ------------------------------------------------------------------------------------------


def plain_csv_value(value: object) -> str:
    """A non-text value as CSV text: blank for None, ISO for dates, `str` for the rest."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: object, format_value: Callable[[object], str] = plain_csv_value) -> str:
    """Text is escaped; anything else (numbers, dates, booleans) is formatted and left alone."""
    if isinstance(value, str):
        return escape_text(value)
    return format_value(value)


def write_csv(
    stream: IO[bytes],
    rows: Iterable[Row],
    *,
    delimiter: str = ",",
    bom: bool = False,
    format_value: Callable[[object], str] = plain_csv_value,
) -> None:
    """UTF-8 CSV (with a BOM when asked, so Excel reads Cyrillic right), CRLF line ends."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value, format_value) for value in row])
    stream.write((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode("utf-8"))


def csv_bytes(rows: Iterable[Row], **options: Any) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, rows, **options)
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------------


def xlsx_cell(sheet: Any, value: object) -> object:
    """What to append to an openpyxl sheet (write-only or not) for one value.

    (`WriteOnlyCell` is a plain cell not yet placed: both kinds of sheet take it in `append`.)

    Text is cleaned and escaped and typed as a string cell (never a formula); a date becomes a
    date cell shown as YYYY-MM-DD; an aware datetime is shown in the center's time zone (Excel
    has no zones); numbers and booleans stay native cells.
    """
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, escape_text(xml_safe_text(value)))
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        return timezone.make_naive(value) if timezone.is_aware(value) else value
    if isinstance(value, date):
        day = WriteOnlyCell(sheet, datetime.combine(value, time()))
        day.number_format = "yyyy-mm-dd"
        return day
    if value is None or isinstance(value, bool | int | float | Decimal | time):
        return value
    return xlsx_cell(sheet, str(value))


def append_row(sheet: Any, values: Iterable[object]) -> None:
    """Append one row of values to an openpyxl sheet, every cell through `xlsx_cell`."""
    sheet.append([xlsx_cell(sheet, value) for value in values])


def write_xlsx(stream: IO[bytes], rows: Iterable[Row], *, title: str | None = None) -> None:
    """One sheet (write-only, streamed), the rows as given, the first usually the header."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title) if title else None)
    for row in rows:
        append_row(sheet, row)
    book.save(stream)


def xlsx_bytes(rows: Iterable[Row], *, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, rows, title=title)
    return buffer.getvalue()
