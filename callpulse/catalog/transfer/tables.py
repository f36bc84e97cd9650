"""Tables in and out of files: CSV (UTF-8 with or without BOM, or an encoding Excel writes here,
detected; `;`, `,` or tab separated, sniffed from the header) and XLSX (the first sheet, read in
openpyxl's read-only mode).

Reading goes through `callpulse.core.imports` (size and row limits, encoding, hostile XLSX) and
writing through `callpulse.core.exports` (no formulas, no characters XML cannot carry); a text cell
the export escaped with a leading `'` reads back without it, so an export imports back unchanged.

A `Table` is a header and its rows; every row remembers its number in the file (the header is
row 1), so a rejection can point at the line the user sees in Excel. Pure Python, no database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Literal

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from callpulse.catalog.transfer.values import is_blank
from callpulse.core import exports
from callpulse.core.imports import (
    RowCounter,
    UnreadableUpload,
    check_size,
    check_stream_size,
    check_xlsx,
    decode_csv,
)

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CONTENT_TYPES: dict[Format, str] = {
    "csv": "text/csv;charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# The file is not a CSV or XLSX table we can read, or is refused (the message says why).
UnreadableFile = UnreadableUpload


@dataclass(frozen=True)
class SourceRow:
    """One row as read: its number in the file and header → cell value."""

    number: int
    values: Mapping[str, object]


@dataclass
class Table:
    header: list[str]
    rows: list[SourceRow] = field(default_factory=list)
    # The first row with a value under no header (a column the importer cannot name).
    unnamed_data_row: int | None = None

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> Table:
        """Rows given as mappings (from code, not a file): numbered as if under a header row."""
        header: list[str] = []
        rows: list[SourceRow] = []
        for index, record in enumerate(records):
            for key in record:
                if key not in header:
                    header.append(key)
            rows.append(SourceRow(number=index + 2, values=dict(record)))
        return cls(header=header, rows=rows)


def detect_format(name: str | None, head: bytes = b"") -> Format:
    """By the file name's extension, else by content (an XLSX file is a zip archive)."""
    suffix = Path(name).suffix.lower() if name else ""
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(_("XLS (Excel 97-2003) files are not supported: save as XLSX or CSV."))
    if suffix in {".csv", ".txt"}:
        return "csv"
    return "xlsx" if head.startswith(b"PK\x03\x04") else "csv"


def read_table(source: str | Path | IO[bytes], *, fmt: Format | None = None) -> Table:
    """Read a CSV or XLSX file (a path or a binary file object)."""
    if isinstance(source, str | Path):
        check_size(Path(source).stat().st_size)
        with Path(source).open("rb") as stream:
            head = stream.read(8)
            stream.seek(0)
            return read_table(stream, fmt=fmt or detect_format(str(source), head))
    check_stream_size(source)
    if fmt is None:
        head = source.read(8)
        source.seek(0)
        fmt = detect_format(getattr(source, "name", None), head)
    return read_xlsx(source) if fmt == "xlsx" else read_csv(source.read())


def _sniff_delimiter(text: str) -> str:
    """The separator that splits the header into the most fields (`;` wins a tie over `,`)."""
    first_line = text.split("\n", 1)[0]
    best, best_count = ",", 1
    for delimiter in (";", ",", "\t"):
        count = len(next(csv.reader([first_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _trimmed(cells: Sequence[object]) -> list[object]:
    end = len(cells)
    while end and is_blank(cells[end - 1]):
        end -= 1
    return list(cells[:end])


def _unescaped(cells: Sequence[object]) -> list[object]:
    """Text cells without the quote our export put before a formula-like value."""
    return [exports.unescape_text(cell) if isinstance(cell, str) else cell for cell in cells]


def _table(raw_rows: Iterable[Sequence[object]]) -> Table:
    """The table of the rows; raises UnreadableFile on the first data row past the row limit."""
    rows_iter = iter(raw_rows)
    header_cells = _unescaped(_trimmed(next(rows_iter, [])))
    header = ["" if cell is None else str(cell).strip() for cell in header_cells]
    table = Table(header=[name for name in header if name])
    counter = RowCounter()
    for number, raw_cells in enumerate(rows_iter, start=2):
        cells = _unescaped(_trimmed(raw_cells))
        if not cells:
            continue  # a blank line is not a row
        counter.add()
        values: dict[str, object] = dict.fromkeys(table.header)
        for index, cell in enumerate(cells):
            name = header[index] if index < len(header) else ""
            if name:
                values[name] = cell
            elif not is_blank(cell) and table.unnamed_data_row is None:
                table.unnamed_data_row = number
        table.rows.append(SourceRow(number=number, values=values))
    return table


def read_csv(data: bytes) -> Table:
    check_size(len(data))
    text = decode_csv(data)
    try:
        return _table(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text)))
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def read_xlsx(stream: IO[bytes]) -> Table:
    check_stream_size(stream)
    check_xlsx(stream)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors alike
        raise UnreadableFile(_("The XLSX file cannot be read: %(error)s") % {"error": exc}) from exc
    try:
        if not workbook.worksheets:
            return Table(header=[])
        sheet = workbook.worksheets[0]
        if isinstance(sheet, ReadOnlyWorksheet):
            # Some writers store a wrong size ("A1"); read the rows that are there instead.
            sheet.reset_dimensions()
        return _table(sheet.iter_rows(values_only=True))
    except UnreadableUpload:
        raise
    except Exception as exc:  # the sheet's XML is parsed while the rows stream
        raise UnreadableFile(_("The XLSX file cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        workbook.close()


def _csv_value(decimal_mark: str) -> Callable[[object], str]:
    """How a non-text cell is written: yes/no, numbers with the decimal mark, ISO dates."""

    def format_value(value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, Decimal | float):
            return str(value).replace(".", decimal_mark)
        return exports.plain_csv_value(value)

    return format_value


def _rows(table: Table) -> Iterator[list[object]]:
    yield list(table.header)
    for row in table.rows:
        yield [row.values.get(name) for name in table.header]


def write_csv(table: Table, stream: IO[bytes], *, delimiter: str = ";") -> None:
    """UTF-8 with a BOM (Excel reads Cyrillic right); with `;` numbers get a decimal comma,
    as Excel with Russian regional settings expects; with `,` a decimal point."""
    decimal_mark = "," if delimiter == ";" else "."
    exports.write_csv(
        stream, _rows(table), delimiter=delimiter, bom=True, format_value=_csv_value(decimal_mark)
    )


def write_xlsx(table: Table, stream: IO[bytes]) -> None:
    """One sheet, header then rows; numbers, dates and booleans as native cells."""
    exports.write_xlsx(stream, _rows(table))


def write_table(
    table: Table,
    destination: str | Path | IO[bytes],
    *,
    fmt: Format | None = None,
    delimiter: str = ";",
) -> None:
    """Write CSV or XLSX (by `fmt`, else by the destination's extension, else CSV)."""
    if isinstance(destination, str | Path):
        fmt = fmt or ("xlsx" if Path(destination).suffix.lower() == ".xlsx" else "csv")
        with Path(destination).open("wb") as stream:
            write_table(table, stream, fmt=fmt, delimiter=delimiter)
        return
    if fmt == "xlsx":
        write_xlsx(table, destination)
    else:
        write_csv(table, destination, delimiter=delimiter)


def table_bytes(table: Table, fmt: Format) -> bytes:
    buffer = io.BytesIO()
    write_table(table, buffer, fmt=fmt)
    return buffer.getvalue()
